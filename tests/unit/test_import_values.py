"""Values of import files as people and platforms write them: money, numbers, dates, consent, countries,
currencies, order states, payment and delivery methods."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chalicelib.domain.import_values import (
    order_state,
    parse_consent,
    parse_country,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_delivery_method,
    parse_moment,
    parse_money,
    parse_payment_method,
    parse_quantity,
    status_changes,
)
from chalicelib.domain.order_status import AXIS_OF, FULFILLMENT, ORDER, PAYMENT

# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,decimal_comma,cents", [
    ("4.25", False, 425),
    ("4.25", True, 425),  # 2 decimals: a decimal point whatever the file
    ("165", False, 16500),
    ("2.1", False, 210),
    ("1,234.50", False, 123450),
    ("1.234,50", True, 123450),
    ("1.234,50", False, 123450),  # both marks: the last one is the decimal mark
    ("12,5", False, 1250),  # a lone comma before 1-2 digits is a decimal comma, even in a dot file
    ("1,234", False, 123400),  # a group of three: thousands in a dot file...
    ("1,234", True, 123),  # ...the decimal mark in a comma file (1.234 rounds to 1.23)
    ("1.234", True, 123400),
    ("1,234,567", False, 123456700),
    ("1 234,56", True, 123456),
    ("1'234.50", False, 123450),  # Swiss
    ("€ 12,50", True, 1250),
    ("12.50 EUR", False, 1250),
    ("$1,000.00", False, 100000),
    ("(3.00)", False, -300),
    ("5-", False, -500),
    ("0.005", False, 1),  # half up
    ("0.0049", False, 0),
    ("-0.005", False, -1),  # half away from zero
    ("2.675", False, 268),  # exact: a float would give 267
])
def test_parse_money_gives_exact_minor_units(text, decimal_comma, cents):
    assert parse_money(text, decimal_comma=decimal_comma) == cents


@pytest.mark.parametrize("text", ["abc", "", "1,2,3", "12,345.67.8", "1.2.3", "12.345,678.9", "--5", "1e5"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="not a number"):
        parse_decimal(text)


def test_parse_money_in_a_currency_without_cents():
    assert parse_money("1,500", digits=0) == 1500
    assert parse_money("12.5", digits=0) == 13


@pytest.mark.parametrize("text,quantity", [("3", 3), ("3.0", 3), ("1,000", 1000), ("-2", -2), (" 12 ", 12)])
def test_parse_quantity_reads_whole_numbers(text, quantity):
    assert parse_quantity(text) == quantity


def test_parse_quantity_refuses_fractions():
    with pytest.raises(ValueError, match="not a whole number"):
        parse_quantity("1.5")


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,utc", [
    ("2024-01-15", "2024-01-15T00:00:00+00:00"),
    ("2024-01-15T10:30", "2024-01-15T10:30:00+00:00"),
    ("2024-01-15T10:30:00Z", "2024-01-15T10:30:00+00:00"),
    ("2024-01-15T10:30:00.250+02:00", "2024-01-15T08:30:00.250000+00:00"),
    ("2024-01-15 10:30:45 -0500", "2024-01-15T15:30:45+00:00"),  # Shopify's "Created at"
    ("2015-10-30 12:49:47", "2015-10-30T12:49:47+00:00"),  # Magento
    ("10/31/2011 10:42", "2011-10-31T10:42:00+00:00"),  # UCI: m/d/Y H:M
    ("1/9/2011 9:05", "2011-01-09T09:05:00+00:00"),
    ("3/4/2024 1:05 PM", "2024-03-04T13:05:00+00:00"),
    ("12/25/24", "2024-12-25T00:00:00+00:00"),
    ("31.12.2020", "2020-12-31T00:00:00+00:00"),  # d.m.Y
    ("31.12.2020 23:59", "2020-12-31T23:59:00+00:00"),
    ("2024/02/29", "2024-02-29T00:00:00+00:00"),
    ("1700000000", "2023-11-14T22:13:20+00:00"),  # epoch seconds
    ("1700000000000", "2023-11-14T22:13:20+00:00"),  # epoch milliseconds
])
def test_parse_moment_reads_the_common_date_formats(text, utc):
    assert parse_moment(text).isoformat() == utc


def test_parse_moment_without_zone_is_the_stores_local_time():
    # A summer evening in Berlin is 2 hours ahead of UTC; a zoned text keeps its own zone
    assert parse_moment("7/1/2024 22:30", zone="Europe/Berlin") == datetime(2024, 7, 1, 20, 30, tzinfo=UTC)
    assert parse_moment("2024-07-01T22:30Z", zone="Europe/Berlin") == datetime(2024, 7, 1, 22, 30, tzinfo=UTC)


def test_parse_moment_reads_slashes_day_first_when_asked():
    assert parse_moment("13/02/2011", day_first=True) == datetime(2011, 2, 13, tzinfo=UTC)
    with pytest.raises(ValueError, match="dates with slashes are read m/d/y"):
        parse_moment("13/02/2011")


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01", "31.02.2024", "2024", "15/15/2024 10:00"])
def test_parse_moment_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_moment(text)


def test_parse_date_gives_the_calendar_day_in_the_stores_zone():
    assert parse_date("31.12.2020") == date(2020, 12, 31)
    assert parse_date("2024-01-15T23:30:00Z", zone="Europe/Berlin") == date(2024, 1, 16)


# --- consent --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["yes", "YES", "y", "true", "1", "x", "X", "subscribed", "Subscribed", "ja", "oui"])
def test_parse_consent_reads_yes(text):
    assert parse_consent(text) is True


@pytest.mark.parametrize("text", ["no", "N", "false", "0", "unsubscribed", "not_subscribed", "Not subscribed",
                                  "pending", "nein", "non"])
def test_parse_consent_reads_no(text):
    assert parse_consent(text) is False


def test_parse_consent_of_an_empty_cell_is_not_given():
    assert parse_consent("  ") is None


def test_parse_consent_refuses_a_word_it_cannot_read():
    with pytest.raises(ValueError, match="not a yes/no value"):
        parse_consent("maybe")


# --- countries and currencies ---------------------------------------------------------------------


@pytest.mark.parametrize("text,code", [
    ("United Kingdom", "GB"), ("UK", "GB"), ("GB", "GB"), ("gb", "GB"), ("GBR", "GB"), ("England", "GB"),
    ("Deutschland", "DE"), ("Germany", "DE"), ("USA", "US"), ("United States", "US"), ("U.S.A.", "US"),
    ("France", "FR"), ("Royaume-Uni", "GB"), ("España", "ES"), ("Österreich", "AT"), ("Schweiz", "CH"),
    ("EIRE", "IE"), ("RSA", "ZA"), ("Hong Kong", "HK"), ("Czech Republic", "CZ"), ("South Korea", "KR"),
    ("Türkiye", "TR"), ("Turkey", "TR"), ("Netherlands", "NL"), ("United Arab Emirates", "AE"),
])
def test_parse_country_reads_names_and_codes(text, code):
    assert parse_country(text) == code


@pytest.mark.parametrize("text", ["", "Unspecified", "unknown"])
def test_parse_country_of_no_country_is_none(text):
    assert parse_country(text) is None


@pytest.mark.parametrize("text", ["Channel Islands", "European Community", "Atlantis"])
def test_parse_country_refuses_what_is_not_one_country(text):
    with pytest.raises(ValueError, match="not a country we know"):
        parse_country(text)


def test_parse_currency_reads_codes_and_signs():
    assert [parse_currency(text) for text in ("EUR", "gbp", "€", "£", " usd ")] == ["EUR", "GBP", "EUR", "GBP", "USD"]
    for text in ("EURO", "XYZ", "e"):
        with pytest.raises(ValueError, match="not a currency code"):
            parse_currency(text)


# --- order states ---------------------------------------------------------------------------------


def state(**columns: str) -> tuple[str, str, str]:
    given: dict[str, str] = {}
    for axis, text in columns.items():
        given.update(status_changes(text, axis))
    result = order_state(given)
    return result["status"], result["payment_status"], result["fulfillment_status"]


@pytest.mark.parametrize("columns,expected", [
    ({}, ("completed", "paid", "delivered")),  # history without a status: sold and delivered
    ({"payment_status": "paid", "fulfillment_status": "fulfilled"}, ("completed", "paid", "delivered")),
    ({"payment_status": "paid", "fulfillment_status": "unfulfilled"}, ("open", "paid", "unfulfilled")),
    ({"payment_status": "pending"}, ("open", "awaiting_payment", "unfulfilled")),
    ({"payment_status": "authorized"}, ("open", "awaiting_payment", "unfulfilled")),
    ({"payment_status": "refunded", "fulfillment_status": "fulfilled"}, ("completed", "refunded", "delivered")),
    ({"payment_status": "partially_refunded"}, ("completed", "paid", "delivered")),
    ({"payment_status": "voided"}, ("open", "payment_failed", "unfulfilled")),
    ({"payment_status": "paid", "fulfillment_status": "partial"}, ("open", "paid", "processing")),
    ({"payment_status": "paid", "fulfillment_status": "restocked"}, ("completed", "paid", "returned")),
    ({"fulfillment_status": "pending"}, ("open", "paid", "unfulfilled")),  # Shopify's line fulfilment word
    ({"status": "wc-processing"}, ("open", "paid", "processing")),  # WooCommerce
    ({"status": "Completed"}, ("completed", "paid", "delivered")),
    ({"status": "on-hold"}, ("open", "awaiting_verification", "unfulfilled")),
    ({"status": "cancelled"}, ("cancelled", "awaiting_payment", "unfulfilled")),
    ({"status": "canceled", "payment_status": "refunded"}, ("cancelled", "refunded", "unfulfilled")),
    ({"status": "fraud"}, ("rejected", "awaiting_payment", "unfulfilled")),
    ({"status": "shipped"}, ("open", "paid", "shipped")),
])
def test_order_state_follows_the_platforms_words(columns, expected):
    assert state(**columns) == expected


def test_order_state_values_are_this_projects_statuses():
    # Every word gives a state that order_status knows, each on its own axis
    words = ["open", "completed", "cancelled", "rejected", "paid", "pending", "on_hold", "failed", "refunded",
             "processing", "unfulfilled", "partial", "shipped", "fulfilled", "returned"]
    for word in words:
        result = order_state(status_changes(word))
        assert AXIS_OF[result["status"]] == ORDER
        assert AXIS_OF[result["payment_status"]] == PAYMENT
        assert AXIS_OF[result["fulfillment_status"]] == FULFILLMENT


def test_status_changes_refuses_an_unknown_word():
    with pytest.raises(ValueError, match="not an order status we know"):
        status_changes("teleported")


# --- payment and delivery methods -----------------------------------------------------------------


@pytest.mark.parametrize("text,method", [
    ("Shopify Payments", "card"), ("Credit Card", "card"), ("stripe", "card"), ("PayPal Express Checkout", "paypal"),
    ("paypal (card)", "paypal"), ("Bank Deposit", "wire_transfer"), ("BACS", "wire_transfer"),
    ("Überweisung", "wire_transfer"), ("Cash on Delivery (COD)", "cash_on_delivery"), ("Nachnahme", "cash_on_delivery"),
])
def test_parse_payment_method_maps_gateways_to_this_projects_methods(text, method):
    assert parse_payment_method(text) == method


def test_parse_payment_method_refuses_an_unknown_gateway():
    with pytest.raises(ValueError, match="not a payment method we know"):
        parse_payment_method("gift_card")


@pytest.mark.parametrize("text,method", [("Standard Shipping", "standard"), ("Free shipping", "standard"),
                                         ("DHL Express", "express"), ("Next Day Delivery", "express"),
                                         ("Local Pickup", "pickup"), ("Click & Collect", "pickup")])
def test_parse_delivery_method_maps_to_this_projects_methods(text, method):
    assert parse_delivery_method(text) == method


def test_parse_decimal_is_exact():
    assert parse_decimal("0.1") + parse_decimal("0.2") == Decimal("0.3")
