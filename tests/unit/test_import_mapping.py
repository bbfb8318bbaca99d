"""Import mappings: presets recognised by the header line, suggestions from synonyms, validation."""
import random
from pathlib import Path

import pytest

from chalicelib.domain.csv_files import inspect_file
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.import_mapping import (
    CUSTOMER_TARGETS,
    CUSTOMERS,
    IGNORE,
    ORDER_TARGETS,
    ORDERS,
    PRESETS,
    recognise_preset,
    suggest_mapping,
    validate_mapping,
)

DATA = Path(__file__).parent.parent / "data"


def columns_of(filename: str) -> list[str]:
    return inspect_file([(DATA / filename).read_bytes()]).format.columns


SHOPIFY_LEGACY = ["First Name", "Last Name", "Email", "Company", "Address1", "Address2", "City", "Province",
                  "Province Code", "Country", "Country Code", "Zip", "Phone", "Accepts Marketing", "Total Spent",
                  "Total Orders", "Tags", "Note", "Tax Exempt"]
SHOPIFY_TEMPLATE = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
                    "Default Address Address1", "Default Address Address2", "Default Address City",
                    "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
                    "Default Address Phone", "Phone", "Accepts SMS Marketing", "Tags", "Note", "Tax Exempt"]
WOO_ANALYTICS = ["Name", "Username", "Last active", "Date registered", "Email", "Orders", "Total spend", "AOV",
                 "Country / Region", "City", "Region", "Postal code"]
WOO_EXPORT = ["customer_id", "first_name", "last_name", "user_login", "email", "date_registered",
              "billing_first_name", "billing_last_name", "billing_company", "billing_email", "billing_phone",
              "billing_address_1", "billing_address_2", "billing_postcode", "billing_city", "billing_state",
              "billing_state_code", "billing_country", "shipping_first_name", "shipping_last_name",
              "shipping_company", "shipping_address_1", "shipping_address_2", "shipping_postcode",
              "shipping_city", "shipping_state", "shipping_country", "total_spent", "order_count"]
ADMIN_PANEL = ["Name", "Surname", "Full name", "Email", "Note", "Accept marketing", "Customer group"]
SHOPIFY_ORDERS = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
                  "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
                  "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
                  "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
                  "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
                  "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
                  "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
                  "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
                  "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
                  "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
                  "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source",
                  "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Phone", "Receipt Number"]

LAYOUTS = {
    "shopify_customers": (CUSTOMERS, lambda: columns_of("shopify_customers_export.csv")),
    "shopify_customers_template": (CUSTOMERS, lambda: SHOPIFY_TEMPLATE),
    "shopify_customers_legacy": (CUSTOMERS, lambda: SHOPIFY_LEGACY),
    "magento_customers": (CUSTOMERS, lambda: columns_of("magento_customer.csv")),
    "magento_customers_composite": (CUSTOMERS, lambda: columns_of("magento_customer_composite.csv")),
    "woocommerce_analytics_customers": (CUSTOMERS, lambda: WOO_ANALYTICS),
    "woocommerce_customers": (CUSTOMERS, lambda: WOO_EXPORT),
    "admin_panel": (CUSTOMERS, lambda: ADMIN_PANEL),
    "shopify_orders": (ORDERS, lambda: SHOPIFY_ORDERS),
    "uci_online_retail": (ORDERS, lambda: columns_of("online_retail_sample.csv")),
}
EXPECTED_PRESET = {"shopify_customers_template": "shopify_customers"}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_recognise_preset_knows_each_platforms_layout(layout):
    # Given the header line of a platform's export
    kind, columns = LAYOUTS[layout][0], LAYOUTS[layout][1]()

    # When the preset is looked for
    preset = recognise_preset(kind, columns)

    # Then it is that platform's, and its mapping is valid for the file as it stands
    assert preset is not None and preset.name == EXPECTED_PRESET.get(layout, layout)
    mapping = preset.mapping(columns)
    assert validate_mapping(kind, mapping, columns) == mapping


@pytest.mark.parametrize("layout", LAYOUTS)
def test_recognise_preset_tolerates_order_case_spaces_and_extra_columns(layout):
    # Given the same header reordered, in other case, padded with spaces, with columns of the merchant's own
    kind, columns = LAYOUTS[layout][0], LAYOUTS[layout][1]()
    messy = [f"  {column.upper()} " for column in columns] + ["Loyalty points"]
    random.Random(7).shuffle(messy)

    # When the preset is looked for
    preset = recognise_preset(kind, messy)

    # Then it is still recognised (except the admin panel's, which knows only its own columns),
    # and each column keeps its target
    if layout == "admin_panel":
        assert preset is None
        return
    assert preset.name == EXPECTED_PRESET.get(layout, layout)
    plain = preset.mapping(columns)
    assert preset.mapping(messy) == {f"  {column.upper()} ": plain[column] for column in columns} | {
        "Loyalty points": IGNORE}


def test_preset_mapping_of_shopify_export_targets_the_fields_the_api_knows():
    columns = columns_of("shopify_customers_export.csv")
    mapping = recognise_preset(CUSTOMERS, columns).mapping(columns)
    assert {column: target for column, target in mapping.items() if target != IGNORE} == {
        "Customer ID": "external_id", "First Name": "first_name", "Last Name": "last_name", "Email": "email",
        "Accepts Email Marketing": "accepts_marketing", "Default Address Company": "company",
        "Default Address Address1": "address.line1", "Default Address Address2": "address.line2",
        "Default Address City": "address.city", "Default Address Province Code": "address.region",
        "Default Address Country Code": "address.country", "Default Address Zip": "address.zip",
        "Phone": "phone", "Note": "note", "Tags": "tags"}


def test_preset_mapping_of_uci_ignores_the_unnamed_index_column():
    columns = columns_of("online_retail_sample.csv")
    preset = recognise_preset(ORDERS, columns)
    assert preset.mapping(columns) == {
        "0": IGNORE, "InvoiceNo": "order_ref", "StockCode": "sku", "Description": "product_name",
        "Quantity": "quantity", "InvoiceDate": "placed_at", "UnitPrice": "unit_price",
        "CustomerID": "customer_external_id", "Country": "country"}
    assert preset.cancelled_ref_prefix == "C"


def test_recognise_preset_looks_only_at_the_jobs_kind():
    # A customer export dropped as an order import is not taken for an order layout, and the reverse
    assert recognise_preset(ORDERS, columns_of("shopify_customers_export.csv")) is None
    assert recognise_preset(CUSTOMERS, SHOPIFY_ORDERS) is None


def test_recognise_preset_finds_none_for_an_unknown_layout():
    assert recognise_preset(CUSTOMERS, ["E-Mail", "Vorname", "Nachname", "Telefon"]) is None


def test_every_preset_targets_only_known_targets():
    for preset in PRESETS:
        allowed = CUSTOMER_TARGETS if preset.kind == CUSTOMERS else ORDER_TARGETS
        assert set(preset.targets.values()) <= allowed, preset.name


# --- suggestions ----------------------------------------------------------------------------------


def test_suggest_mapping_reads_german_columns():
    # Given a German merchant's own export
    columns = ["Kundennummer", "Vorname", "Nachname", "E-Mail", "Telefon", "Firma", "Straße", "PLZ", "Ort", "Land",
               "Geburtstag", "Lieblingsfarbe"]

    # When a mapping is suggested, with the store's custom field "geburtstag"
    suggested = suggest_mapping(CUSTOMERS, columns, ["geburtstag"])

    # Then each column is recognised by its name, the custom field by its key, the rest ignored
    assert suggested == {
        "Kundennummer": "external_id", "Vorname": "first_name", "Nachname": "last_name", "E-Mail": "email",
        "Telefon": "phone", "Firma": "company", "Straße": "address.line1", "PLZ": "address.zip",
        "Ort": "address.city", "Land": "address.country", "Geburtstag": "custom.geburtstag",
        "Lieblingsfarbe": IGNORE}


@pytest.mark.parametrize("column", ["E-mail", "Email Address", "mail", "Courriel", "EMAIL", " e_mail "])
def test_suggest_mapping_knows_the_ways_of_writing_email(column):
    assert suggest_mapping(CUSTOMERS, [column]) == {column: "email"}


def test_suggest_mapping_reads_french_columns_and_suggests_each_target_once():
    # Given a French file with two email columns
    columns = ["Prénom", "Nom", "Courriel", "Adresse e-mail", "Code postal", "Ville", "Pays"]

    # When a mapping is suggested
    suggested = suggest_mapping(CUSTOMERS, columns)

    # Then the first email column is the email, the second is left for staff to decide
    assert suggested == {"Prénom": "first_name", "Nom": "last_name", "Courriel": "email",
                         "Adresse e-mail": IGNORE, "Code postal": "address.zip", "Ville": "address.city",
                         "Pays": "address.country"}


def test_suggest_mapping_reads_name_beside_surname_as_first_name():
    assert suggest_mapping(CUSTOMERS, ["Name", "Surname", "Mail"]) == {
        "Name": "first_name", "Surname": "last_name", "Mail": "email"}
    assert suggest_mapping(CUSTOMERS, ["Name", "Mail"]) == {"Name": "full_name", "Mail": "email"}


def test_suggest_mapping_reads_order_columns():
    columns = ["Order number", "Date", "Article", "Bezeichnung", "Menge", "Price", "Währung", "Customer ID",
               "Status", "Shipping", "Rabatt", "Zahlungsart", "Versandart", "Land"]
    assert suggest_mapping(ORDERS, columns) == {
        "Order number": "order_ref", "Date": "placed_at", "Article": "sku", "Bezeichnung": "product_name",
        "Menge": "quantity", "Price": "unit_price", "Währung": "currency", "Customer ID": "customer_external_id",
        "Status": "status", "Shipping": "shipping", "Rabatt": "discount", "Zahlungsart": "payment_method",
        "Versandart": "delivery_method", "Land": "country"}


def test_suggested_mapping_is_valid_once_its_required_targets_are_there():
    columns = ["Order ID", "SKU", "Qty", "Unit price", "Email"]
    suggested = suggest_mapping(ORDERS, columns)
    assert validate_mapping(ORDERS, suggested, columns) == {
        "Order ID": "order_ref", "SKU": "sku", "Qty": "quantity", "Unit price": "unit_price",
        "Email": "customer_email"}


# --- validation -----------------------------------------------------------------------------------


def test_validate_mapping_fills_the_columns_it_leaves_out_with_ignore():
    assert validate_mapping(CUSTOMERS, {"mail": "email"}, ["mail", "x"]) == {"mail": "email", "x": IGNORE}


def test_validate_mapping_names_every_bad_column_and_target():
    # Given a mapping with an unknown column, an unknown target, a custom field the store lacks, no email
    mapping = {"Nom": "last_name", "Ghost": "first_name", "Mail": "e-mail", "Birthday": "custom.birthday",
               "Shoe": "custom.shoe_size"}

    # When it is validated against the file's columns and the store's custom fields
    with pytest.raises(InvalidInput) as raised:
        validate_mapping(CUSTOMERS, mapping, ["Nom", "Mail", "Birthday", "Shoe"], ["shoe_size"])

    # Then every problem is named, with its column
    assert raised.value.details == [
        {"field": "mapping.Ghost", "message": "the file has no such column"},
        {"field": "mapping.Mail", "message": "'e-mail' is not a target of an import of customers"},
        {"field": "mapping.Birthday", "message": "'custom.birthday': the store has no such custom field"},
        {"field": "mapping", "message": "no column is mapped to email"},
    ]


def test_validate_mapping_of_orders_needs_reference_product_quantity_and_price():
    with pytest.raises(InvalidInput) as raised:
        validate_mapping(ORDERS, {"Date": "placed_at"}, ["Date"])
    assert [detail["message"] for detail in raised.value.details] == [
        "no column is mapped to order_ref", "no column is mapped to quantity", "no column is mapped to unit_price",
        "no column is mapped to sku or product_name"]


def test_validate_mapping_refuses_customer_targets_in_an_order_import():
    with pytest.raises(InvalidInput) as raised:
        validate_mapping(ORDERS, {"ref": "order_ref", "sku": "sku", "q": "quantity", "p": "unit_price",
                                  "tags": "tags", "x": "custom.vip"}, ["ref", "sku", "q", "p", "tags", "x"], ["vip"])
    assert raised.value.details == [
        {"field": "mapping.tags", "message": "'tags' is not a target of an import of orders"},
        {"field": "mapping.x", "message": "'custom.vip' is not a target of an import of orders"}]


def test_validate_mapping_refuses_an_unknown_kind():
    with pytest.raises(InvalidInput, match="Unknown import kind"):
        validate_mapping("products", {}, [])


def test_validate_mapping_accepts_several_columns_for_one_target():
    # Shopify's legacy export has both Province and Province Code: the first non-empty is taken
    mapping = {"Province": "address.region", "Province Code": "address.region", "Email": "email"}
    assert validate_mapping(CUSTOMERS, mapping, list(mapping)) == mapping
