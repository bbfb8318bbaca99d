"""Reading merchants' CSV files as a stream: encodings, delimiters, messy rows, checkpoints, poison files."""
import codecs
import os
from pathlib import Path

import pytest

from chalicelib.domain.csv_files import (
    HEAD_BYTES,
    MAX_RECORD_BYTES,
    Checkpoint,
    CsvFormat,
    UnreadableFile,
    inspect_file,
    read_rows,
)
from chalicelib.domain.errors import UnreadableInput

DATA = Path(__file__).parent.parent / "data"


def chunked(data: bytes, size: int):
    return (data[index:index + size] for index in range(0, len(data), size))


def read_all(data: bytes, *, chunk: int = 1 << 16, has_header: bool = True):
    """What a job does: inspect the head, then read the rows from the first data row on."""
    fmt = inspect_file(chunked(data, chunk), has_header=has_header).format
    return fmt, list(read_rows(chunked(data[fmt.data_offset:], chunk), fmt))


def values(rows):
    return [row.values for row in rows]


# --- encodings ------------------------------------------------------------------------------------

NAMES_CSV = "email,first_name,last_name\nj@example.com,Jérôme,Laliberté\ns@example.com,Søren,Müller\n"


@pytest.mark.parametrize("encoding,bom,detected", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-16-le", b"", "utf-16-le"),  # Excel's "Unicode text" without its BOM: told by the zero bytes
    ("cp1252", b"", "cp1252"),
])
def test_read_file_in_any_encoding_keeps_accented_names(encoding, bom, detected):
    # Given the same customers saved by different programs
    data = bom + NAMES_CSV.encode(encoding)

    # When the file is read
    fmt, rows = read_all(data)

    # Then the encoding is detected, the BOM is not part of the first column, and accents survive
    assert fmt.encoding == detected
    assert fmt.columns == ["email", "first_name", "last_name"]
    assert [row.values["last_name"] for row in rows] == ["Laliberté", "Müller"]
    assert rows[-1].offset == len(data)


def test_read_windows_1252_file_never_turns_accents_into_mojibake():
    # Given a file from an old Windows export, with a byte Windows-1252 leaves undefined
    # an en dash is cp1252's 0x96; 0x81 is a byte cp1252 leaves undefined
    data = "email,name\nm@example.com,Laliberté – «Café»\n".encode("cp1252") + b"x@example.com,Odd\x81\n"  # noqa: RUF001

    # When it is read
    fmt, rows = read_all(data)

    # Then it is not read as UTF-8 ("LalibertÃ©"), and the undefined byte is read as Latin-1
    assert fmt.encoding == "cp1252"
    assert rows[0].values["name"] == "Laliberté – «Café»"  # noqa: RUF001
    assert rows[1].values["name"] == "Odd\x81"


def test_read_utf8_file_with_a_later_windows_1252_line_reads_that_line_as_windows_1252():
    # Given a UTF-8 file (beyond the detected head) where one line was pasted from a Windows program
    filler = "".join(f"user{index}@example.com,Zoë\n" for index in range(HEAD_BYTES // 20))
    data = ("email,name\n" + filler).encode() + "late@example.com,Laliberté\n".encode("cp1252")
    data += "last@example.com,Søren\n".encode()

    # When it is read
    fmt, rows = read_all(data)

    # Then the file is UTF-8, the odd line is read as Windows-1252 instead of failing, and the rest as UTF-8
    assert fmt.encoding == "utf-8"
    assert rows[0].values["name"] == "Zoë"
    assert rows[-2].values["name"] == "Laliberté"
    assert rows[-1].values["name"] == "Søren"


# --- delimiters and quoting -----------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_inspect_detects_the_delimiter(delimiter):
    # Given a file with values that contain the other candidates (a decimal comma, a pipe in a note)
    lines = [["email", "price", "note"], ["a@example.com", "12,50", "a|b; c"], ["b@example.com", "3,10", "d, e"]]
    text = "\n".join(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in line) for line in lines)

    # When it is read
    fmt, rows = read_all(text.encode())

    # Then the consistent delimiter is chosen, and the values stay whole
    assert fmt.delimiter == delimiter
    assert values(rows) == [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_inspect_ignores_delimiters_inside_quotes():
    # Given a comma file whose quoted notes are full of semicolons
    data = b'email;x,note\n"a@example.com","x;y;z;w"\n"b@example.com","1;2;3;4"\n'

    # When it is inspected
    fmt = inspect_file([data]).format

    # Then the comma wins: the semicolons are inside quotes (or in the header only once)
    assert fmt.delimiter == ","
    assert fmt.columns == ["email;x", "note"]


def test_read_quoted_values_keep_delimiters_quotes_and_newlines():
    # Given a Magento-like file: a multi-line street, an embedded comma, doubled quotes, CRLF endings
    data = (b'email,street,note\r\n'
            b'jon@example.com,"Main Street 1\r\nSuite 200","Said: ""call after 5pm"", twice"\r\n'
            b'ann@example.com,Elm St,\r\n')

    # When it is read
    _, rows = read_all(data)

    # Then the record spans two lines but is one row, numbered as a spreadsheet shows it
    assert [row.number for row in rows] == [2, 3]
    assert rows[0].values == {"email": "jon@example.com", "street": "Main Street 1\nSuite 200",
                              "note": 'Said: "call after 5pm", twice'}
    assert rows[1].values["street"] == "Elm St"


def test_read_old_mac_line_endings_as_rows():
    # Given a file saved with CR alone between lines ("CSV (Macintosh)")
    data = b"email,name\ra@example.com,Ann\rb@example.com,Bob"

    # When it is read
    _, rows = read_all(data)

    # Then each line is a row, the last one without a line break too
    assert values(rows) == [{"email": "a@example.com", "name": "Ann"}, {"email": "b@example.com", "name": "Bob"}]
    assert rows[-1].offset == len(data)


def test_read_skips_blank_lines_but_counts_them_as_rows():
    # Given blank lines (and a line of empty cells, as spreadsheets leave) between rows
    data = b"email,name\n\na@example.com,Ann\n,,\n   \nb@example.com,Bob\n\n\x1a"  # and a DOS end-of-file mark

    # When it is read
    _, rows = read_all(data)

    # Then only the two customers come out, numbered where a spreadsheet shows them
    assert [(row.number, row.values["name"]) for row in rows] == [(3, "Ann"), (6, "Bob")]


def test_read_short_row_gets_empty_cells_and_long_row_with_empty_extras_is_fine():
    # Given a row missing its last cells and a row with trailing empty cells
    data = b"email,first,last\na@example.com\nb@example.com,Bob,Smith,,\n"

    # When it is read
    _, rows = read_all(data)

    # Then both rows are complete and valid
    assert values(rows) == [{"email": "a@example.com", "first": "", "last": ""},
                            {"email": "b@example.com", "first": "Bob", "last": "Smith"}]
    assert [row.error for row in rows] == [None, None]


def test_read_long_row_with_values_beyond_the_columns_is_refused_with_a_reason():
    # Given a row with a value that has no column (an unquoted comma in a name)
    data = b"email,name\na@example.com,Smith, John\nb@example.com,Ann\n"

    # When it is read
    _, rows = read_all(data)

    # Then that row carries the reason and its own cells; the next row is fine
    assert "3 values but the file has 2 columns" in rows[0].error
    assert rows[0].cells == ["a@example.com", "Smith", " John"]
    assert rows[1].error is None


def test_read_strips_a_spreadsheets_leading_quote_only_from_codes_and_numbers():
    # Given a Shopify-style export that protects ids, phones and zips with a leading '
    data = b"id,phone,zip,last,note\n'7000000000,'+1 555-0100,'M5H 2N2,'t Hooft,'Tis the season\n"

    # When it is read
    _, rows = read_all(data)

    # Then the marker is gone from the codes, names that start with an apostrophe keep it,
    # and the row's cells stay as written (for the error file)
    assert rows[0].values == {"id": "7000000000", "phone": "+1 555-0100", "zip": "M5H 2N2", "last": "'t Hooft",
                              "note": "'Tis the season"}
    assert rows[0].cells[0] == "'7000000000"


# --- header or not --------------------------------------------------------------------------------


def test_read_without_header_names_columns_by_index_from_row_1():
    # Given a file without a header line whose first row is shorter than the next
    data = b"a@example.com,Ann\nb@example.com,Bob,vip\n"

    # When it is read as having no header
    fmt, rows = read_all(data, has_header=False)

    # Then the columns are "0", "1", "2" (the widest row) and the first row is row 1
    assert fmt.columns == ["0", "1", "2"]
    assert fmt.header_row == 0
    assert [(row.number, row.values) for row in rows] == [
        (1, {"0": "a@example.com", "1": "Ann", "2": ""}), (2, {"0": "b@example.com", "1": "Bob", "2": "vip"})]


def test_inspect_names_empty_and_repeated_header_cells():
    # Given the UCI layout's unnamed first column and a repeated column
    data = b',InvoiceNo,Phone,Phone\n1,536365,1,2\n'

    # When it is inspected
    inspection = inspect_file([data])

    # Then every column has a unique name: an empty one by its index, a repeat with a suffix
    assert inspection.format.columns == ["0", "InvoiceNo", "Phone", "Phone (2)"]
    assert inspection.preview == [{"0": "1", "InvoiceNo": "536365", "Phone": "1", "Phone (2)": "2"}]


def test_inspect_gives_the_first_five_rows_as_preview():
    # Given a file of eight customers
    data = b"email,name\n" + b"".join(b"c%d@example.com,Name %d\n" % (i, i) for i in range(8))

    # When it is inspected
    inspection = inspect_file([data])

    # Then the preview is the first five rows, by column name
    assert inspection.preview == [{"email": f"c{i}@example.com", "name": f"Name {i}"} for i in range(5)]


def test_inspect_reads_the_decimal_convention():
    # Given a semicolon file with decimal commas, and a comma file with decimal points
    european = b"sku;price\nA;12,50\nB;1.234,50\n"
    american = b"sku,price\nA,12.50\nB,\"1,234.50\"\n"

    # Then each file's convention is found
    assert inspect_file([european]).format.decimal_comma is True
    assert inspect_file([american]).format.decimal_comma is False


def test_estimated_rows_follow_the_file_size():
    # Given a file of 1,000 rows of equal size
    data = b"email,name\n" + b"".join(b"c%04d@example.com,Name\n" % i for i in range(1000))

    # When only its head was inspected
    fmt = inspect_file(chunked(data, 4096)).format

    # Then the row count is estimated from the size
    assert fmt.estimated_rows(len(data)) == 1000


# --- streaming and checkpoints --------------------------------------------------------------------

TRICKY = ('email,street,note\r\n'
          '"jon@example.com","Main Street 1\r\nSuite 200","Søren says ""hi"", twice"\r\n'
          '\r\n'
          'zoe@example.com,Straße 5,Zoë €\r\n'
          "kai@example.com,'M5H,\"multi\nline\nnote\"\r\n"
          'ann@example.com,Elm St,\r\n')


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8),
                                          ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
@pytest.mark.parametrize("chunk", [1, 7])
def test_read_in_tiny_chunks_gives_the_same_rows(encoding, bom, chunk):
    # Given a file with multi-byte characters and quoted newlines
    data = bom + TRICKY.encode(encoding)

    # When it arrives in 1-byte or 7-byte chunks (boundaries inside characters and quoted values)
    fmt, rows = read_all(data, chunk=chunk)

    # Then the rows are those of reading it in one piece
    whole_fmt, whole = read_all(data, chunk=len(data))
    assert (fmt, rows) == (whole_fmt, whole)
    assert [row.values["note"] for row in rows] == ['Søren says "hi", twice', "Zoë €", "multi\nline\nnote", ""]
    assert [row.number for row in rows] == [2, 4, 5, 6]


@pytest.mark.parametrize("encoding,bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
                                          ("cp1252", b"")])
def test_read_resumed_from_any_checkpoint_gives_exactly_the_remaining_rows(encoding, bom):
    # Given a file read once to the end
    text = TRICKY.replace("€", "e") if encoding == "cp1252" else TRICKY
    data = bom + text.encode(encoding)
    fmt, rows = read_all(data)

    for index, row in enumerate(rows):
        # When a job resumes after this row with a ranged read from its checkpoint, in small chunks
        checkpoint = Checkpoint.model_validate(row.checkpoint.model_dump())  # as stored in the job
        resumed = list(read_rows(chunked(data[checkpoint.offset:], 5), fmt, checkpoint))

        # Then it gets exactly the rows after it, with the same numbers and offsets
        assert resumed == rows[index + 1:]


def test_read_stored_format_is_reused_as_is():
    # Given a format stored by the job as JSON
    data = codecs.BOM_UTF16_LE + TRICKY.encode("utf-16-le")
    fmt, rows = read_all(data)
    stored = CsvFormat.model_validate_json(fmt.model_dump_json())

    # When the rows are read with it from the start
    again = list(read_rows([data[stored.data_offset:]], stored, stored.start()))

    # Then they are the same
    assert again == rows


# --- poison files ---------------------------------------------------------------------------------


def test_inspect_refuses_an_empty_file():
    for data in (b"", codecs.BOM_UTF8, b"\r\n\r\n  \n"):
        with pytest.raises(UnreadableFile, match="empty"):
            inspect_file([data])


def test_inspect_refuses_a_header_without_rows():
    with pytest.raises(UnreadableFile, match="header line but no data rows"):
        inspect_file([b"email,first_name,last_name\r\n\r\n"])


def test_inspect_refuses_binary_content():
    # Given random bytes, and a file that is text but mostly control characters
    noise = bytes(range(256)) * 64
    controls = bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15]) * 100 + b"a,b\n"

    # Then neither is read as CSV
    for data in (os.urandom(4096) + b"\x00", noise, controls):
        with pytest.raises(UnreadableFile, match="not text"):
            inspect_file([data])


def test_inspect_refuses_a_spreadsheet_workbook_with_advice():
    with pytest.raises(UnreadableFile, match=r"Excel workbook \(.xlsx\).*save it as CSV"):
        inspect_file([b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)])


def test_unreadable_file_is_the_jobs_unreadable_input():
    # The job runner ends a job failed on UnreadableInput: a poison file must be one
    assert issubclass(UnreadableFile, UnreadableInput)


def test_read_one_100_mb_line_fails_after_reading_about_a_record():
    # Given a file whose second line is 100 MB without a line break, streamed in 64 KiB chunks
    read = []

    def stream():
        yield b"email,name\n"
        for _ in range(100 * 16):
            read.append(1)
            yield b"x" * (1 << 16)

    # When it is inspected
    with pytest.raises(UnreadableFile, match="longer than 1024 KiB"):
        inspect_file(stream())

    # Then it fails fast: about one record's worth was read, not the 100 MB
    assert len(read) * (1 << 16) <= MAX_RECORD_BYTES + 2 * (1 << 16)


def test_read_a_quote_never_closed_fails_at_the_record_limit():
    # Given a row whose quote opens and never closes, with many lines after it
    data = b'email,note\na@example.com,"oops\n' + b"b@example.com,fine\n" * 70_000

    # When it is read, then it fails where the quote opened instead of taking the rest of the file as one value
    with pytest.raises(UnreadableFile, match=r"Row 2 is longer than 1024 KiB \(a quote that is never closed\?\)"):
        read_all(data)


def test_inspect_refuses_10000_columns():
    data = (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" for _ in range(10_000)) + "\n").encode()
    with pytest.raises(UnreadableFile, match="10000 columns; at most 500"):
        inspect_file(chunked(data, 1 << 16))


def test_inspect_refuses_10000_columns_without_header():
    data = (",".join("1" for _ in range(10_000)) + "\n").encode()
    with pytest.raises(UnreadableFile, match="10000 columns"):
        inspect_file([data], has_header=False)


def test_read_binary_bytes_after_the_head_fail_the_file():
    # Given a text file with a zero byte far after the head
    data = b"email,name\n" + b"a@example.com,Ann\n" * 5000 + b"b@example.com,B\x00b\n"

    # When it is read to the end
    with pytest.raises(UnreadableFile, match="Row 5002 contains binary data"):
        read_all(data)


# --- the real files -------------------------------------------------------------------------------


def test_read_shopify_fixture_row_by_row():
    # Given Shopify's 2,000-row customer export
    data = (DATA / "shopify_customers_export.csv").read_bytes()

    # When it is read
    fmt, rows = read_all(data)

    # Then every row comes out, the last one ending at the end of the file
    assert (fmt.encoding, fmt.delimiter, fmt.columns[:4]) == ("utf-8", ",", ["Customer ID", "First Name",
                                                                             "Last Name", "Email"])
    assert len(rows) == 2000 and rows[0].number == 2 and rows[-1].number == 2001
    assert rows[-1].offset == len(data)
    assert not any(row.error for row in rows)
    assert rows[2].values["Note"] == "Line one\nline two"


def test_read_magento_composite_keeps_the_multi_line_street():
    _, rows = read_all((DATA / "magento_customer_composite.csv").read_bytes())
    assert len(rows) == 1
    assert rows[0].values["_address_street"] == "Main Street 1\nSuite 200"
