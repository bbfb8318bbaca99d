"""Rows of merchants' files to customers and order lines, or to the reasons a row is refused."""
import csv
from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from chalicelib.domain.csv_files import inspect_file, read_rows
from chalicelib.domain.custom_fields import CustomField
from chalicelib.domain.import_mapping import CUSTOMERS, ORDERS, recognise_preset, suggest_mapping
from chalicelib.domain.import_rows import (
    MAX_TAGS,
    CustomerRows,
    ImportContext,
    ImportedAddress,
    ImportedCustomer,
    ImportedOrderLine,
    OrderLineRows,
    Problem,
    RejectedRow,
    split_full_name,
)

DATA = Path(__file__).parent.parent / "data"


def import_file(data: bytes, kind: str = CUSTOMERS, mapping: dict | None = None, **context):
    """What a job does: inspect, take the preset (or the given mapping), turn every row into a record."""
    fmt = inspect_file([data]).format
    preset = recognise_preset(kind, fmt.columns)
    mapping = mapping or (preset.mapping(fmt.columns) if preset else suggest_mapping(kind, fmt.columns))
    context = ImportContext(decimal_comma=fmt.decimal_comma, preset=preset.name if preset else None, **context)
    rows = (CustomerRows if kind == CUSTOMERS else OrderLineRows)(mapping, context)
    return [rows.record(row) for row in read_rows([data[fmt.data_offset:]], fmt)]


def one(text: str, kind: str = CUSTOMERS, mapping: dict | None = None, **context):
    [record] = import_file(text.encode(), kind, mapping, **context)
    return record


def accepted(records):
    return [record for record in records if not isinstance(record, RejectedRow)]


# --- the Shopify export, whole --------------------------------------------------------------------


@pytest.fixture(scope="module")
def shopify_customers():
    return import_file((DATA / "shopify_customers_export.csv").read_bytes())


def test_import_shopify_export_accepts_every_row_with_an_email(shopify_customers):
    # Given Shopify's 2,000-row export read with its preset
    records = shopify_customers

    # Then 1,978 rows are customers and 22 are refused for want of an email, with their row numbers
    customers = accepted(records)
    rejected = [record for record in records if isinstance(record, RejectedRow)]
    assert (len(customers), len(rejected)) == (1978, 22)
    assert {record.message for record in rejected} == {'column "Email": no email address: every customer needs one'}
    assert all(2 <= record.row <= 2001 for record in rejected)

    # And the emails make 1,957 customers: 21 rows repeat an earlier email in another case
    keys = [customer.email_key for customer in customers]
    assert len(set(keys)) == 1957
    repeats = [customer for index, customer in enumerate(customers) if customer.email_key in keys[:index]]
    assert len(repeats) == 21
    first_of = {customer.email_key: customer for customer in reversed(customers)}
    assert all(repeat.email != first_of[repeat.email_key].email for repeat in repeats)


def test_import_shopify_export_keeps_real_values(shopify_customers):
    by_external_id = {customer.external_id: customer for customer in accepted(shopify_customers)}

    # The first row: the leading ' is gone from ids, phones and zips; "ACME, Inc." is one company
    kai = by_external_id["7000000000"]
    assert (kai.first_name, kai.last_name, kai.email) == ("Kai", "O'Brien", "kai.obrien0@example.com")
    assert (kai.phone, kai.company, kai.accepts_marketing, kai.tags) == (
        "+75162275869", "ACME, Inc.", False, ("vip", "wholesale"))
    assert kai.address == ImportedAddress(line1="36 Main St", city="Toronto", country="CA", region="ON", zip="M5H 2N2")

    # Søren Müller's name survives, and so does a multi-line note
    soren = by_external_id["7000000001"]
    assert (soren.first_name, soren.last_name, soren.accepts_marketing, soren.tags) == (
        "Søren", "Müller", True, ("b2b", "returning"))
    assert by_external_id["7000000002"].note == "Line one\nline two"
    assert by_external_id["7000000005"].note == 'Said: "call after 5pm"'

    # Across the file: no zip or phone keeps a quote, every address is complete, nothing was dropped
    customers = accepted(shopify_customers)
    assert not any("'" in (customer.phone or "") + customer.address.zip for customer in customers)
    assert not any(customer.warnings for customer in customers)
    assert Counter(len(customer.tags) for customer in customers)[3] > 0


# --- customers, row by row ------------------------------------------------------------------------


def test_import_customer_email_is_checked_like_the_api_and_keyed_case_insensitively():
    customer = one("email,first\n  Jane.DOE@Example.COM ,Jane\n")
    assert (customer.email, customer.email_key) == ("Jane.DOE@example.com", "jane.doe@example.com")

    refused = one("email,first\njane@,Jane\n")
    assert isinstance(refused, RejectedRow) and refused.row == 2
    assert refused.message.startswith('column "email": value is not a valid email address')


def test_import_row_with_several_problems_lists_each_with_its_column():
    # Given a row with a bad email, a name with markup and an unknown group
    record = one("Email,First name,Group\nnot-an-email,<b>Jo</b>,Platinum\n", groups={"vip": "VIP"})

    # Then each problem is given, with its column
    assert isinstance(record, RejectedRow)
    assert [problem.column for problem in record.problems] == ["Email", "First name", "Group"]
    assert record.problems[1].message == "must be plain text (no '<' or '>')"
    assert record.problems[2].message == 'the store has no customer group "Platinum"'


@pytest.mark.parametrize("full_name,first,last", [
    ("Jane Doe", "Jane", "Doe"), ("Peter van der Berg", "Peter van der", "Berg"), ("  Madonna ", "Madonna", None),
])
def test_split_full_name_gives_the_last_word_as_last_name(full_name, first, last):
    assert split_full_name(full_name) == (first, last)


def test_import_full_name_fills_only_what_first_and_last_name_leave_empty():
    mapping = {"email": "email", "first": "first_name", "last": "last_name", "name": "full_name"}
    text = "email,first,last,name\na@example.com,,,Ann Lee\nb@example.com,Robert,,Bob Smith\nc@example.com,,,Cher\n"
    records = import_file(text.encode(), mapping=mapping)
    assert [(record.first_name, record.last_name) for record in records] == [
        ("Ann", "Lee"), ("Robert", "Smith"), ("Cher", None)]


def test_import_customer_without_names_is_accepted():
    # A newsletter list has emails only: the customer is imported, names are simply not given
    customer = one("E-mail\nreader@example.com\n")
    assert isinstance(customer, ImportedCustomer)
    assert (customer.first_name, customer.last_name) == (None, None)


def test_import_name_longer_than_the_api_allows_is_refused():
    record = one(f"email,first name\na@example.com,{'x' * 101}\n")
    assert record.message == 'column "first name": String should have at most 100 characters'


@pytest.mark.parametrize("cell,consent", [("yes", True), ("Subscribed", True), ("x", True), ("0", False),
                                          ("not_subscribed", False), ("pending", False), ("", None)])
def test_import_accepts_marketing_words(cell, consent):
    assert one(f"email,newsletter\na@example.com,{cell}\n").accepts_marketing is consent


def test_import_unreadable_consent_is_not_given_and_warned():
    customer = one("email,newsletter\na@example.com,maybe\n")
    assert customer.accepts_marketing is None
    assert customer.warnings == (Problem("newsletter", "marketing consent not imported: not a yes/no value "
                                                       "(yes, no, true, false, 1, 0, subscribed, unsubscribed...)"),)


def test_import_invalid_phone_is_dropped_with_a_warning_and_the_customer_kept():
    customer = one("email,phone\na@example.com,call me maybe\n")
    assert isinstance(customer, ImportedCustomer) and customer.phone is None
    assert customer.warnings[0].column == "phone"
    assert customer.warnings[0].message.startswith("phone not imported: must be a phone number")


def test_import_tags_are_split_normalised_and_deduplicated():
    # Given tags as people write them, one needing cleaning and one with nothing usable
    customer = one('email,tags\na@example.com," VIP , Wholesale,vip,Gold: Tier 1,Café,!!!"\n')

    # Then they are the API's tags, with a warning for each that changed or was dropped
    assert customer.tags == ("vip", "wholesale", "gold tier 1", "cafe")
    assert [problem.message for problem in customer.warnings] == [
        'tag "Gold: Tier 1" imported as "gold tier 1"', 'tag "Café" imported as "cafe"',
        'tag "!!!" not imported: use letters, digits, spaces, - and _']


def test_import_keeps_at_most_the_apis_number_of_tags():
    tags = ",".join(f"t{index}" for index in range(MAX_TAGS + 5))
    customer = one(f'email,tags\na@example.com,"{tags}"\n')
    assert len(customer.tags) == MAX_TAGS
    assert customer.warnings == (Problem("tags", f"only the first {MAX_TAGS} tags imported"),)


def test_import_group_is_found_by_name_or_id_whatever_the_case():
    groups = {"wholesale": "Wholesale buyers", "vip": "VIP"}
    text = "email,group\na@example.com,wholesale buyers\nb@example.com,VIP\nc@example.com,Wholesale\n"
    assert [record.group_id for record in import_file(text.encode(), groups=groups)] == ["wholesale", "vip",
                                                                                         "wholesale"]


def test_import_multi_line_street_gives_line1_and_line2():
    customer = one('email,street,address 2,city,country,zip,state\n'
                   'a@example.com,"Main Street 1\nSuite 200\n",Floor 3,Campbell,United States,95008,California\n')
    assert customer.address == ImportedAddress(line1="Main Street 1", line2="Suite 200, Floor 3", city="Campbell",
                                               country="US", region="California", zip="95008")


def test_import_incomplete_address_is_dropped_with_a_warning_and_the_customer_kept():
    # Given WooCommerce Analytics' export: a city and a country, no street
    records = import_file(b"Name,Username,Last active,Date registered,Email,Orders,Total spend,AOV,"
                          b"Country / Region,City,Region,Postal code\n"
                          b"Ann Lee,ann,2024-05-01,2023-01-15 10:00:00,ann@example.com,3,120.00,40.00,"
                          b"Deutschland,Berlin,BE,10115\n")

    # Then the customer is imported without an address, and the merchant is told why
    [customer] = records
    assert (customer.first_name, customer.last_name, customer.address) == ("Ann", "Lee", None)
    assert customer.created_at == datetime(2023, 1, 15, 10, tzinfo=UTC)
    assert customer.warnings == (Problem("City", "address not imported: it needs a street, a city and a country"),)


def test_import_address_with_an_unknown_country_is_dropped_with_a_warning():
    customer = one("email,street,city,country\na@example.com,1 Rue X,Paris,Gaul\n")
    assert customer.address is None
    assert customer.warnings[0].message.startswith("address not imported: not a country we know")


def test_import_custom_fields_are_typed_like_the_api():
    # Given the store's custom fields and a European file
    fields = (CustomField(key="shoe_size", label="Shoe size", type="number"),
              CustomField(key="birthday", label="Birthday", type="date"),
              CustomField(key="tier", label="Tier", type="choice", options=["Gold", "Silver"]),
              CustomField(key="nickname", label="Nickname", type="text"))
    mapping = {"Mail": "email", "Size": "custom.shoe_size", "Born": "custom.birthday", "Tier": "custom.tier",
               "Nick": "custom.nickname"}

    # When rows with text numbers, dates and a choice in another case are imported
    records = import_file(b"Mail;Size;Born;Tier;Nick\na@example.com;42,5;31.12.1990;gold;NA\n"
                          b"b@example.com;43;1991-02-01;;\n", mapping=mapping, custom_fields=fields)

    # Then the values are typed as the API types them; empty cells are not given; text stays as written
    assert [record.custom_fields for record in records] == [
        {"shoe_size": 42.5, "birthday": "1990-12-31", "tier": "Gold", "nickname": "NA"},
        {"shoe_size": 43, "birthday": "1991-02-01"}]


def test_import_invalid_custom_field_refuses_the_row_naming_the_column():
    fields = (CustomField(key="tier", label="Tier", type="choice", options=["Gold", "Silver"]),
              CustomField(key="shoe_size", label="Shoe size", type="number"))
    mapping = {"email": "email", "Tier": "custom.tier", "Size": "custom.shoe_size"}
    record = one("email,Tier,Size\na@example.com,Bronze,big\n", mapping=mapping, custom_fields=fields)
    assert record.problems == (Problem("Size", "not a number"),
                               Problem("Tier", "must be one of ['Gold', 'Silver']"))


@pytest.mark.parametrize("cell,moment", [
    ("2015-10-30 12:49:47", datetime(2015, 10, 30, 12, 49, 47, tzinfo=UTC)),
    ("10/30/2015", datetime(2015, 10, 30, tzinfo=UTC)),
    ("30.10.2015", datetime(2015, 10, 30, tzinfo=UTC)),
    ("1446209387", datetime(2015, 10, 30, 12, 49, 47, tzinfo=UTC)),
    ("2015-10-30T12:49:47+01:00", datetime(2015, 10, 30, 11, 49, 47, tzinfo=UTC)),
])
def test_import_created_at_reads_the_common_formats(cell, moment):
    assert one(f"email,created_at\na@example.com,{cell}\n").created_at == moment


def test_import_unreadable_created_at_refuses_the_row():
    record = one("email,created_at\na@example.com,last spring\n")
    assert record.problems[0].column == "created_at" and record.problems[0].message.startswith("not a date")


def test_import_external_id_is_kept_as_text():
    records = import_file(b"email,customer id\na@example.com,'00123\nb@example.com,NA\n")
    assert [record.external_id for record in records] == ["00123", None]


def test_import_row_with_values_beyond_the_columns_is_refused_with_the_readers_reason():
    record = one("email,name\na@example.com,Smith, John\n")
    assert isinstance(record, RejectedRow)
    assert record.message.startswith("This row has 3 values but the file has 2 columns")


def test_import_magento_composite_file_with_its_preset():
    [customer] = import_file((DATA / "magento_customer_composite.csv").read_bytes(), timezone="Europe/Berlin")
    assert (customer.email, customer.first_name, customer.last_name, customer.phone) == (
        "jondoe@example.com", "Jon", "Doe", "123456789")
    assert customer.address == ImportedAddress(line1="Main Street 1", line2="Suite 200", city="Campbell",
                                               country="US", region="California", zip="95008")
    assert customer.created_at == datetime(2016, 4, 19, 10, 55, 51, tzinfo=UTC)  # Berlin summer time


def test_import_admin_panel_fields():
    customer = one("Name,Surname,Email,Note,Accept marketing,Customer group\n"
                   "Ann,Lee,ann@example.com,Met at the fair,yes,VIP\n", groups={"vip": "VIP"})
    assert (customer.first_name, customer.last_name, customer.note, customer.accepts_marketing,
            customer.group_id) == ("Ann", "Lee", "Met at the fair", True, "vip")


# --- orders ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uci_lines():
    return import_file((DATA / "online_retail_sample.csv").read_bytes(), ORDERS)


@pytest.fixture(scope="module")
def uci_raw():
    with open(DATA / "online_retail_sample.csv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_import_uci_reads_every_line_and_converts_every_price_exactly(uci_lines, uci_raw):
    # Given the UCI Online Retail sample, read with its preset
    assert len(uci_lines) == len(uci_raw) == 2709

    # Then each accepted line's price is the raw price in pence, computed independently with Decimal
    by_row = dict(enumerate(uci_raw, start=2))
    for line in accepted(uci_lines):
        raw = by_row[line.row]
        expected = int((Decimal(raw["UnitPrice"]) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert (line.order_ref, line.sku, line.unit_price) == (raw["InvoiceNo"], raw["StockCode"], expected)
        assert line.quantity == abs(int(raw["Quantity"]))


def test_import_uci_cancellations_and_refused_lines(uci_lines, uci_raw):
    by_row = dict(enumerate(uci_raw, start=2))
    lines = accepted(uci_lines)

    # Invoices starting with C are cancelled orders, their negative quantities made positive and marked
    cancelled = [line for line in lines if line.status == "cancelled"]
    assert {line.row for line in cancelled} == {row for row, raw in by_row.items() if raw["InvoiceNo"].startswith("C")}
    assert all(line.negative_quantity and line.quantity > 0 for line in cancelled)
    assert all(line.status == "completed" and not line.negative_quantity for line in lines if line not in cancelled)

    # A negative quantity in any other invoice (a stock adjustment) is refused, and nothing else is
    refused = [record for record in uci_lines if isinstance(record, RejectedRow)]
    assert {record.row for record in refused} == {
        row for row, raw in by_row.items() if not raw["InvoiceNo"].startswith("C") and int(raw["Quantity"]) <= 0}
    assert {record.message for record in refused} == {
        'column "Quantity": a negative quantity belongs only to a cancelled order'}


def test_import_uci_customers_dates_and_countries(uci_lines, uci_raw):
    lines = {line.row: line for line in accepted(uci_lines)}
    first = lines[2]
    assert (first.order_ref, first.placed_at, first.customer_external_id, first.country) == (
        "573442", datetime(2011, 10, 31, 10, 42, tzinfo=UTC), "12488", "FR")
    assert first.product_name == "WHITE SKULL HOT WATER BOTTLE"  # trailing space trimmed

    # NA is no customer (a guest order); EIRE is Ireland; a region that is not a country is dropped with a warning
    raw = dict(enumerate(uci_raw, start=2))
    assert all((line.customer_external_id is None) == (raw[row]["CustomerID"] == "NA") for row, line in lines.items())
    assert {line.country for row, line in lines.items() if raw[row]["Country"] == "EIRE"} == {"IE"}
    islands = [line for row, line in lines.items() if raw[row]["Country"] == "Channel Islands"]
    assert islands and all(line.country is None and line.warnings[0].column == "Country" for line in islands)
    assert all(line.order_fields_present for line in lines.values())


SHOPIFY_ORDERS = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,"
    "Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
    "Lineitem sku,Billing Name,Billing Country,Shipping Country,Cancelled at,Payment Method,Refunded Amount,Id\n"
    "#1001,ann@example.com,paid,2024-03-01 10:00:00 +0100,fulfilled,EUR,30.00,4.90,0,29.90,SPRING,5.00,"
    "DHL Express,2024-03-01 09:58:12 +0100,2,Mug,10.00,MUG-1,Ann Lee,DE,DE,,Shopify Payments,0.00,5001\n"
    "#1001,ann@example.com,,,,,,,,,,,,2024-03-01 09:58:12 +0100,1,Tea,10.00,TEA-1,,,,,,,5001\n"
    "#1002,bob@example.com,refunded,,unfulfilled,EUR,12.50,0,0,12.50,,0,Standard,2024-03-02 12:00:00 +0100,1,"
    "Tea,12.50,TEA-1,Bob Stone,,FR,2024-03-03 08:00:00 +0100,PayPal Express Checkout,12.50,5002\n"
)


def test_import_shopify_orders_reads_order_fields_from_each_orders_first_line():
    # Given Shopify's order export: order fields only on the first line of each order
    lines = import_file(SHOPIFY_ORDERS.encode(), ORDERS)
    assert all(isinstance(line, ImportedOrderLine) for line in lines)
    first, second, third = lines

    # Then each line has its product, and the first line of each order says so
    assert [(line.order_ref, line.sku, line.product_name, line.quantity, line.unit_price) for line in lines] == [
        ("#1001", "MUG-1", "Mug", 2, 1000), ("#1001", "TEA-1", "Tea", 1, 1000), ("#1002", "TEA-1", "Tea", 1, 1250)]
    assert [line.order_fields_present for line in lines] == [True, False, True]

    # And the first line carries the order: customer, money, methods, state, its own zone's time
    assert (first.customer_email_key, first.first_name, first.last_name, first.currency) == (
        "ann@example.com", "Ann", "Lee", "EUR")
    assert (first.shipping, first.discount, first.refunded) == (490, 500, 0)
    assert (first.payment_method, first.delivery_method, first.country) == ("card", "express", "DE")
    assert (first.status, first.payment_status, first.fulfillment_status) == ("completed", "paid", "delivered")
    assert first.placed_at == datetime(2024, 3, 1, 8, 58, 12, tzinfo=UTC)
    assert second.customer_email == "ann@example.com" and second.currency is None

    # A refunded, cancelled order keeps its refund and its cancellation
    assert (third.status, third.payment_status, third.fulfillment_status) == ("cancelled", "refunded", "unfulfilled")
    assert (third.refunded, third.payment_method, third.delivery_method, third.country) == (
        1250, "paypal", "standard", "FR")
    assert third.cancelled_at == datetime(2024, 3, 3, 7, tzinfo=UTC)


def test_import_order_line_needs_reference_product_quantity_and_price():
    mapping = {"ref": "order_ref", "sku": "sku", "name": "product_name", "qty": "quantity", "price": "unit_price"}
    records = import_file(b"ref,sku,name,qty,price\n"
                          b",A,,1,1.00\n"  # no reference
                          b"R1,,,1,1.00\n"  # no product
                          b"R2,A,,0,1.00\n"  # nothing sold
                          b"R3,A,,1,-1.00\n"  # negative price
                          b"R4,,Tea,1.5,1.00\n"  # half a tea
                          b"R5,,Tea,2,\n", ORDERS, mapping)  # no price
    assert [str(problem) for record in records for problem in record.problems] == [
        'column "ref": no order reference', 'column "sku": no sku and no product name',
        'column "qty": the quantity is 0', 'column "price": must not be negative',
        'column "qty": not a whole number', 'column "price": no unit price']


def test_import_order_prices_follow_the_files_decimal_convention():
    # Given a German export: semicolons, decimal commas, thousands with dots
    mapping = {"Bestellnummer": "order_ref", "Artikel": "sku", "Menge": "quantity", "Preis": "unit_price",
               "Versandkosten": "shipping", "Datum": "placed_at", "Status": "status"}
    lines = import_file(b"Bestellnummer;Artikel;Menge;Preis;Versandkosten;Datum;Status\n"
                        b"A-1;SOFA;1;1.234,50;49,90;24.12.2023 18:30;Storniert\n"
                        b"A-2;LAMP;2;12,5;0;25.12.2023;bezahlt\n", ORDERS, mapping, timezone="Europe/Berlin")
    assert [(line.unit_price, line.shipping) for line in lines] == [(123450, 4990), (1250, 0)]
    assert lines[0].placed_at == datetime(2023, 12, 24, 17, 30, tzinfo=UTC)
    assert [line.status for line in lines] == ["cancelled", "completed"]


def test_import_order_with_an_unknown_status_or_currency_is_refused():
    mapping = {"ref": "order_ref", "sku": "sku", "qty": "quantity", "price": "unit_price", "status": "status",
               "cur": "currency", "email": "customer_email"}
    record = one("ref,sku,qty,price,status,cur,email\nR1,A,1,1.00,teleported,EURO,x@\n", ORDERS, mapping)
    assert [problem.column for problem in record.problems] == ["email", "cur", "status"]
