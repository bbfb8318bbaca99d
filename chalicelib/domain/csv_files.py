"""Reading the CSV files merchants really have, streamed: never the whole file in memory.

A file is first inspected from its head (`inspect_file`): encoding, delimiter, columns, the decimal mark
and a preview, kept by the job as a `CsvFormat`. Rows are then read from any byte offset with that
format (`read_rows`); each row says where the next read starts, so a job checkpoints `(offset, row)`
and resumes with a ranged GET from that offset. Rows are numbered as a spreadsheet shows them: the
header is row 1, blank lines count.

What makes a file unreadable (binary, empty, header only, a record over 1 MiB, over 500 columns)
raises `UnreadableFile` with a message for the merchant, as soon as it is seen.
"""
import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.base import Record
from chalicelib.domain.errors import UnreadableInput

HEAD_BYTES = 64 * 1024  # what detection reads
MAX_RECORD_BYTES = 1024 * 1024  # one row, quoted newlines included
MAX_COLUMNS = 500
PREVIEW_ROWS = 5
DELIMITERS = (",", ";", "\t", "|")  # in order of preference when two fit equally
_MAX_NAME = 100  # characters of a column name kept
_SAMPLE_RECORDS = 50  # records of the head used for the delimiter and the decimal mark

Encoding = Literal["utf-8", "utf-16-le", "utf-16-be", "cp1252"]
_BOMS: tuple[tuple[bytes, Encoding], ...] = (
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class UnreadableFile(UnreadableInput):
    """The file cannot be imported at all: the job fails with this message."""

    code = "unreadable_file"


class Checkpoint(Record):
    """Where a read stands: `offset` is the byte where the next read starts (a ranged GET from there),
    `row` the number of the last row read (the next one is at least row + 1)."""

    offset: int
    row: int


class CsvFormat(Record):
    """What inspection found; the job stores it and reads every later chunk with it."""

    encoding: Encoding
    delimiter: str
    has_header: bool
    columns: list[str]  # the header's names (unique), or "0", "1", ... without a header
    data_offset: int  # the byte where the first data row starts
    header_row: int  # the header's row number; 0 without a header
    decimal_comma: bool  # numbers are written 1.234,50 (the file's convention)
    bytes_per_row: float  # mean size of the rows in the head: estimates the row count from the file size

    def start(self) -> Checkpoint:
        return Checkpoint(offset=self.data_offset, row=self.header_row)

    def estimated_rows(self, file_size: int) -> int:
        return max(0, round((file_size - self.data_offset) / self.bytes_per_row)) if self.bytes_per_row else 0


class Inspection(Record):
    """A file's format, and its first data rows as {column: value} for the mapping screen."""

    format: CsvFormat
    preview: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class CsvRow:
    number: int  # as a spreadsheet shows it
    offset: int  # the byte just past this row: the checkpoint after it
    cells: list[str]  # as written in the file (for the error file: the merchant's own row back)
    values: dict[str, str]  # column -> value: missing cells empty, a spreadsheet's leading ' removed
    error: str | None = None  # why the row cannot be read (values beyond the last column)

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint(offset=self.offset, row=self.number)


def inspect_file(chunks: Iterable[bytes], *, has_header: bool = True) -> Inspection:
    """Detects the format from the file's first bytes; reads no further than the head and the preview.
    `chunks`: the file from its first byte (an S3 body's iter_chunks())."""
    chunks = iter(chunks)
    head = _take(chunks, HEAD_BYTES)
    encoding, bom_length = _detect_encoding(head)
    text = _head_text(head[bom_length:HEAD_BYTES], encoding)
    _refuse_binary(head, text)
    delimiter = _detect_delimiter(text, whole_file=len(head) < HEAD_BYTES)
    records = _records(_prepend(head[bom_length:], chunks), encoding, delimiter, bom_length, 0)

    columns, header_row, data_offset, sample = None, 0, bom_length, []
    for number, offset, cells in records:
        if _is_blank(cells):
            continue
        if has_header and columns is None:
            _refuse_too_wide(len(cells))
            columns, header_row, data_offset = _column_names(cells), number, offset
            continue
        sample.append((offset, cells))
        if len(sample) >= _SAMPLE_RECORDS or offset >= HEAD_BYTES:
            break
    if not sample:
        raise UnreadableFile("The file has a header line but no data rows." if columns
                             else "The file is empty: there is no row to import.")
    if columns is None:
        widest = max(len(cells) for _, cells in sample)
        _refuse_too_wide(widest)
        columns = [str(index) for index in range(widest)]
    fmt = CsvFormat(encoding=encoding, delimiter=delimiter, has_header=has_header, columns=columns,
                    data_offset=data_offset, header_row=header_row,
                    decimal_comma=_uses_decimal_comma([cells for _, cells in sample], delimiter),
                    bytes_per_row=(sample[-1][0] - data_offset) / len(sample))
    preview = [_row(0, 0, cells, columns).values for _, cells in sample[:PREVIEW_ROWS]]
    return Inspection(format=fmt, preview=preview)


def read_rows(chunks: Iterable[bytes], fmt: CsvFormat, start: Checkpoint | None = None) -> Iterator[CsvRow]:
    """The data rows from `start` (default: the first data row), blank ones skipped.
    `chunks`: the file from byte `start.offset` on (a ranged GET from there)."""
    start = start or fmt.start()
    for number, offset, cells in _records(chunks, fmt.encoding, fmt.delimiter, start.offset, start.row):
        if not _is_blank(cells):
            yield _row(number, offset, cells, fmt.columns)


# --- rows ---------------------------------------------------------------------------------------

_SPREADSHEET_TEXT = re.compile(r"'[0-9A-Z+\-][0-9A-Z +\-./()#]*")


def _cell_value(cell: str) -> str:
    """A spreadsheet's text marker removed: Shopify writes '7000000000, '+1 555..., 'M5H 2N2 so that
    a spreadsheet keeps them as text. Only before digits, capitals and phone signs: 't Hooft keeps it."""
    return cell[1:] if cell[:1] == "'" and _SPREADSHEET_TEXT.fullmatch(cell) else cell


def _row(number: int, offset: int, cells: list[str], columns: list[str]) -> CsvRow:
    width = len(columns)
    values = dict(zip(columns, map(_cell_value, cells), strict=False))  # the shorter side decides
    error = None
    if len(cells) < width:
        values.update((column, "") for column in columns[len(cells):])
    elif any(cell.strip() for cell in cells[width:]):
        error = (f"This row has {len(cells)} values but the file has {width} columns: "
                 "values beyond the last column (a delimiter inside an unquoted value?)")
    return CsvRow(number, offset, cells, values, error)


def _column_names(cells: list[str]) -> list[str]:
    """The header's names, trimmed (to 100 characters: the job keeps them); an empty one is named by
    its index, a repeated one gets ' (2)'."""
    names: list[str] = []
    for index, cell in enumerate(cells):
        name = cell.strip()[:_MAX_NAME] or str(index)
        candidate, copy = name, 2
        while candidate in names:
            candidate, copy = f"{name} ({copy})", copy + 1
        names.append(candidate)
    return names


def _is_blank(cells: list[str]) -> bool:
    """No value at all; a DOS end-of-file mark (Ctrl-Z) on the last line is no value either."""
    return not any(cell.strip().strip("\x1a") for cell in cells)


def _refuse_too_wide(width: int) -> None:
    if width > MAX_COLUMNS:
        raise UnreadableFile(f"The file has {width} columns; at most {MAX_COLUMNS} can be imported.")


# --- records: lines -> csv -------------------------------------------------------------------------


@dataclass(slots=True)
class _Position:
    offset: int  # just past the last line handed to the csv parser
    record_start: int


def _records(chunks: Iterable[bytes], encoding: Encoding, delimiter: str, offset: int,
             row: int) -> Iterator[tuple[int, int, list[str]]]:
    """(row number, offset just past the record, cells) for every record, blank ones included.
    The csv parser pulls lines one by one and never reads ahead, so the offset of the last line it
    pulled is the end of the record it returns."""
    position = _Position(offset, offset)
    decode = _line_decoder(encoding)

    def lines() -> Iterator[str]:
        for line, end in _split_lines(chunks, encoding, position.offset):
            if end - position.record_start > MAX_RECORD_BYTES:
                raise UnreadableFile(f"Row {row + 1} is longer than {MAX_RECORD_BYTES // 1024} KiB "
                                     "(a quote that is never closed?).")
            text = decode(line)
            if "\x00" in text:
                raise UnreadableFile(f"Row {row + 1} contains binary data: is this a CSV file?")
            position.offset = end
            yield text + "\n"

    _allow_fields_up_to_a_record()
    reader = csv.reader(lines(), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(f"Row {row + 1} cannot be read: {error}.") from error
        row += 1
        yield row, position.offset, cells
        position.record_start = position.offset


def _allow_fields_up_to_a_record() -> None:
    """csv's own limit on one field (128 KiB by default, process-wide) is raised to our record limit,
    which is what bounds memory; it is only ever raised, never lowered."""
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)


_LINE_BREAKS = {
    "utf-16-le": (re.compile(rb"\r\x00\n\x00|\r\x00|\n\x00"), 2),
    "utf-16-be": (re.compile(rb"\x00\r\x00\n|\x00\r|\x00\n"), 2),
}
_BYTE_LINE_BREAK = (re.compile(rb"\r\n|\r|\n"), 1)


def _split_lines(chunks: Iterable[bytes], encoding: Encoding, offset: int) -> Iterator[tuple[bytes, int]]:
    """(line without its break, offset just past the break). Breaks are CRLF, LF or CR, found in the
    encoding's code units, so a chunk may end anywhere, even inside a character. A line longer than a
    record may be fails as soon as that many bytes are buffered."""
    pattern, unit = _LINE_BREAKS.get(encoding, _BYTE_LINE_BREAK)
    carriage_return = "\r".encode(encoding)
    chunks = iter(chunks)
    buffer, start, scan, base, at_end = bytearray(), 0, 0, offset, False
    while True:
        match = pattern.search(buffer, scan)
        while match and (match.start() - start) % unit:  # inside a code unit, not a break
            match = pattern.search(buffer, match.start() + 1)
        if match and (at_end or not _may_be_crlf(buffer, match, carriage_return, unit)):
            yield bytes(buffer[start:match.start()]), base + match.end()
            start = scan = match.end()
            continue
        if at_end:
            if start < len(buffer):
                yield bytes(buffer[start:]), base + len(buffer)
            return
        if len(buffer) - start > MAX_RECORD_BYTES:
            raise UnreadableFile(f"A line is longer than {MAX_RECORD_BYTES // 1024} KiB: "
                                 "this is not a file of customer or order rows.")
        del buffer[:start]
        base, start = base + start, 0
        scan = max(0, len(buffer) - 3)  # a break may straddle the chunks
        chunk = next(chunks, None)
        if chunk is None:
            at_end = True
        else:
            buffer += chunk


def _may_be_crlf(buffer: bytearray, match: re.Match, carriage_return: bytes, unit: int) -> bool:
    """A CR whose next code unit has not arrived yet: wait for it before cutting the line."""
    return buffer[match.start():match.end()] == carriage_return and match.end() + unit > len(buffer)


def _cp1252_table() -> str:
    """Windows-1252, with the five bytes it leaves undefined read as Latin-1 (never an error)."""
    table = bytes(range(256)).decode("cp1252", errors="replace")
    return "".join(chr(code) if char == "\ufffd" else char for code, char in enumerate(table))


_CP1252 = _cp1252_table()


def _cp1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252)[0]


def _utf8_else_cp1252(data: bytes) -> str:
    """A UTF-8 file with one line saved by another program: that line is read as Windows-1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _cp1252(data)


def _line_decoder(encoding: Encoding):
    if encoding == "utf-8":
        return _utf8_else_cp1252
    if encoding == "cp1252":
        return _cp1252
    return lambda data: data.decode(encoding, errors="replace")


# --- detection ------------------------------------------------------------------------------------


def _take(chunks: Iterator[bytes], size: int) -> bytes:
    taken = bytearray()
    for chunk in chunks:
        taken += chunk
        if len(taken) >= size:
            break
    return bytes(taken)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _detect_encoding(head: bytes) -> tuple[Encoding, int]:
    """(encoding, BOM length): a BOM says it; else UTF-16 by its zero bytes; else UTF-8 if the head
    decodes (a character cut at the end of the head is fine); else Windows-1252."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    sample = head[: HEAD_BYTES - HEAD_BYTES % 2]
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if half and odd_zeros > 0.3 * half and even_zeros < 0.05 * half:
        return "utf-16-le", 0
    if half and even_zeros > 0.3 * half and odd_zeros < 0.05 * half:
        return "utf-16-be", 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", 0
    except UnicodeDecodeError:
        return "cp1252", 0


def _head_text(head: bytes, encoding: Encoding) -> str:
    if encoding == "utf-8":
        return codecs.getincrementaldecoder("utf-8")(errors="replace").decode(head, final=False)
    if encoding == "cp1252":
        return _cp1252(head)
    return head[: len(head) - len(head) % 2].decode(encoding, errors="replace")


_WORKBOOK_MAGIC = {b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file",
                   b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls)"}


def _refuse_binary(head: bytes, text: str) -> None:
    for magic, what in _WORKBOOK_MAGIC.items():
        if head.startswith(magic):
            raise UnreadableFile(f"The file is {what}, not CSV: save it as CSV and upload it again.")
    if not text.strip("\ufeff \t\r\n"):
        raise UnreadableFile("The file is empty: there is no row to import.")
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    if "\x00" in text or controls > 0.05 * len(text):
        raise UnreadableFile("The file is not text (it contains binary data): export it as CSV.")


def _detect_delimiter(text: str, *, whole_file: bool) -> str:
    """The candidate whose count outside quotes is the same on most of the first records (the most
    of them if several are equally consistent); csv.Sniffer guesses wrong on real exports."""
    counts_per_record = _delimiter_counts(text, whole_file=whole_file)
    best, best_score = ",", (0.0, 0, 0)
    for preference, delimiter in enumerate(DELIMITERS):
        counts = [record[delimiter] for record in counts_per_record]
        if not counts or not max(counts):
            continue
        mode = max(set(counts), key=lambda count: (counts.count(count), count))
        score = (counts.count(mode) / len(counts), mode, -preference) if mode else (0.0, 0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _delimiter_counts(text: str, *, whole_file: bool) -> list[dict[str, int]]:
    """Per complete non-blank record of the head, how often each candidate appears outside quotes
    (the last record counts only if the head is the whole file). A quote opens a quoted value only
    at the start of a value, as the csv parser reads it."""
    records: list[dict[str, int]] = []
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes, value_start, has_content, index, length = False, True, False, 0, len(text)
    while index < length and len(records) < _SAMPLE_RECORDS:
        char = text[index]
        if in_quotes:
            if char == '"':
                if text[index + 1:index + 2] == '"':
                    index += 1
                else:
                    in_quotes = False
        elif char == '"' and value_start:
            in_quotes, value_start, has_content = True, False, True
        elif char in counts:
            counts[char] += 1
            value_start = True
        elif char in "\r\n":
            if has_content:
                records.append(counts)
            counts = dict.fromkeys(DELIMITERS, 0)
            value_start, has_content = True, False
        else:
            value_start = False
            has_content = has_content or char not in " \t"
        index += 1
    if whole_file and has_content and index >= length:
        records.append(counts)
    return records


_COMMA_DECIMAL = re.compile(r"[-+]?\d{1,3}(\.\d{3})+,\d+|[-+]?\d+,\d{1,2}")
_DOT_DECIMAL = re.compile(r"[-+]?\d{1,3}(,\d{3})+\.\d+|[-+]?\d+\.\d{1,2}")


def _uses_decimal_comma(records: list[list[str]], delimiter: str) -> bool:
    """Numbers like 12,50 or 1.234,50 outnumber 12.50 or 1,234.50 in the head; with no number either
    way, a ';' file is taken as European (what spreadsheets write where the comma is the decimal mark)."""
    comma = dot = 0
    for cells in records:
        for cell in cells:
            value = cell.strip()
            comma += bool(_COMMA_DECIMAL.fullmatch(value))
            dot += bool(_DOT_DECIMAL.fullmatch(value))
    return comma > dot if comma != dot else delimiter == ";"
