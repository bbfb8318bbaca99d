"""Reading the values of import files as people and platforms write them: dates, decimal numbers and
money, yes/no, countries, order statuses, payment and delivery methods. Each reader returns the value
or raises ValueError with a reason a merchant understands (without the value: it may be personal)."""
import gettext
import re
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

import pycountry

from chalicelib.domain.text import fold

# Cells that mean "no value" in exports (R, pandas, SQL dumps, spreadsheets). Only for codes, numbers,
# dates and ids: a name is never read as missing.
MISSING = frozenset({"NA", "N/A", "#N/A", "NULL", "null", "None", "NaN", "nan", "-"})


def is_missing(value: str) -> bool:
    return not value or value in MISSING


# --- dates ----------------------------------------------------------------------------------------

_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?"
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME)  # m/d/Y (d/m/Y when day first)
_DOTTED = re.compile(r"(\d{1,2})[.-](\d{1,2})[.-](\d{4}|\d{2})" + _TIME)  # d.m.Y, d-m-Y
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME)  # Y/m/d, Y.m.d
_ZONE_AFTER_SPACE = re.compile(r"\s+(Z|UTC|GMT|[+-]\d{2}:?\d{2})$")
DATE_FORMATS = "YYYY-MM-DD (with or without a time), m/d/Y, d.m.Y or seconds since 1970"


def _year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 69 else 1900) if len(text) == 2 else year


def _clock(hour: str | None, minute: str | None, second: str | None, half: str | None) -> time:
    if hour is None:
        return time()
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            raise ValueError("hour out of range")
        hours = hours % 12 + (12 if half.lower() == "pm" else 0)
    return time(hours, int(minute or 0), int(second or 0))


def parse_datetime(text: str, *, day_first: bool = False) -> datetime:
    """Naive when the text gives no zone, aware when it does (epoch seconds: UTC).
    Slashes are month first unless `day_first`; dots and dashes are day first."""
    value = text.strip()
    if re.fullmatch(r"\d{9,10}", value):
        return datetime.fromtimestamp(int(value), UTC)
    if re.fullmatch(r"\d{12,13}", value):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    try:
        return datetime.fromisoformat(
            _ZONE_AFTER_SPACE.sub(lambda m: "+00:00" if m[1] in ("Z", "UTC", "GMT") else m[1], value))
    except ValueError:
        pass
    for pattern, order in ((_YEAR_FIRST, "ymd"), (_SLASHED, "dmy" if day_first else "mdy"), (_DOTTED, "dmy")):
        match = pattern.fullmatch(value)
        if match:
            parts = dict(zip(order, match.groups()[:3], strict=True))
            try:
                return datetime.combine(date(_year(parts["y"]), int(parts["m"]), int(parts["d"])),
                                        _clock(*match.groups()[3:]))
            except ValueError:
                if pattern is _SLASHED:
                    raise ValueError(f"not a date: dates with slashes are read {order[0]}/{order[1]}/y") from None
                break
    raise ValueError(f"not a date we can read: write it as {DATE_FORMATS}")


def parse_moment(text: str, *, zone: str = "UTC", day_first: bool = False) -> datetime:
    """A moment in UTC; a date or time without a zone is the store's local time."""
    moment = parse_datetime(text, day_first=day_first)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def parse_date(text: str, *, zone: str = "UTC", day_first: bool = False) -> date:
    """The calendar day: as written, or in the store's time zone when the text is a zoned moment."""
    moment = parse_datetime(text, day_first=day_first)
    return moment.astimezone(ZoneInfo(zone)).date() if moment.tzinfo else moment.date()


# --- numbers and money ----------------------------------------------------------------------------

_CURRENCY_AROUND = re.compile(r"^(?:[A-Za-z]{3}\s*|[€$£¥₹₽₩₺]\s*)+|(?:\s*[A-Za-z]{3}|\s*[€$£¥₹₽₩₺])+$")


def parse_decimal(text: str, *, decimal_comma: bool = False) -> Decimal:
    """An exact decimal from text as written: currency signs or codes around it, spaces and
    apostrophes as thousands separators, (12.50) or a trailing minus for negatives.
    The decimal mark: with both '.' and ',' the last one is; with one kind only, it is a thousands
    separator when it appears more than once or splits the digits in groups of three (1,234 and
    1.234.567), except that the file's own convention (`decimal_comma`) decides a single group of three
    (1.234 is 1234 in a decimal-comma file, 1,234 is 1.234 there)."""
    value = _CURRENCY_AROUND.sub("", text.strip())
    negative = False
    if value.startswith("(") and value.endswith(")"):
        value, negative = value[1:-1], True
    if value.endswith("-"):
        value, negative = value[:-1], True
    value = re.sub(r"[\s\u00a0\u202f'’]", "", value)  # noqa: RUF001  (a typographic apostrophe groups thousands)
    if value and value[0] in "+-":
        negative, value = negative or value[0] == "-", value[1:]
    if not re.fullmatch(r"[0-9.,]*[0-9][0-9.,]*", value):
        raise ValueError("not a number")
    value = _with_dot_decimal(value, decimal_comma)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError("not a number") from None
    return -number if negative else number


def _with_dot_decimal(value: str, decimal_comma: bool) -> str:
    if "." in value and "," in value:
        mark = "." if value.rfind(".") > value.rfind(",") else ","
        integer, _, fraction = value.rpartition(mark)
        thousands = "," if mark == "." else "."
        if mark in integer or "," in fraction or "." in fraction or not _grouped(integer, thousands):
            raise ValueError("not a number")
        return integer.replace(thousands, "") + "." + fraction
    separator = "," if "," in value else "." if "." in value else None
    if separator is None:
        return value
    if value.count(separator) > 1:  # 1,234,567 or 1.234.567
        if not _grouped(value, separator):
            raise ValueError("not a number")
        return value.replace(separator, "")
    integer, fraction = value.split(separator)
    one_group_of_three = len(fraction) == 3 and _grouped(value, separator)
    file_thousands = "." if decimal_comma else ","
    if one_group_of_three and separator == file_thousands:
        return integer + fraction
    return f"{integer}.{fraction}"


def _grouped(integer: str, separator: str) -> bool:
    """Digits, in groups of three after the first when a separator is there (1,234,567)."""
    if separator not in integer:
        return integer.isdigit()
    return re.fullmatch(r"[1-9]\d{0,2}(?:" + re.escape(separator) + r"\d{3})+", integer) is not None


def to_minor_units(amount: Decimal, digits: int = 2) -> int:
    """Integer minor units, exactly: rounded half up (away from zero) to the currency's digits."""
    return int((amount * 10 ** digits).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_money(text: str, *, decimal_comma: bool = False, digits: int = 2) -> int:
    return to_minor_units(parse_decimal(text, decimal_comma=decimal_comma), digits)


def parse_quantity(text: str, *, decimal_comma: bool = False) -> int:
    """A whole number ("3", "3.0", "1,000"), sign kept."""
    number = parse_decimal(text, decimal_comma=decimal_comma)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    return int(number)


# --- yes / no -------------------------------------------------------------------------------------

_YES = frozenset({"yes", "y", "true", "t", "1", "x", "on", "subscribed", "opted_in", "optin", "ja", "j", "oui",
                  "si", "sí"})
_NO = frozenset({"no", "n", "false", "f", "0", "off", "unsubscribed", "not_subscribed", "pending", "invalid",
                 "redacted", "opted_out", "optout", "nein", "non"})


def parse_consent(text: str) -> bool | None:
    """Marketing consent: None when the cell is empty. `pending` (a double opt-in not confirmed) is no."""
    word = re.sub(r"[\s-]+", "_", text.strip().casefold())
    if not word:
        return None
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError("not a yes/no value (yes, no, true, false, 1, 0, subscribed, unsubscribed...)")


# --- countries ------------------------------------------------------------------------------------

# Names people write that ISO does not list.
_COUNTRY_ALIASES = {
    "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northernireland": "GB", "eire": "IE", "rsa": "ZA", "usa": "US", "america": "US", "unitedstatesofamerica": "US",
    "holland": "NL", "russia": "RU", "korea": "KR", "southkorea": "KR", "northkorea": "KP", "turkey": "TR",
    "czechia": "CZ", "ivorycoast": "CI", "macedonia": "MK", "swaziland": "SZ", "burma": "MM", "vatican": "VA",
    "uae": "AE", "laos": "LA", "capeverde": "CV", "easttimor": "TL",
}
_NO_COUNTRY = frozenset({"unspecified", "unknown", "na", "none", "null", "other"})
# Languages whose country names are read too ("Deutschland", "Royaume-Uni", "Éire"...).
_COUNTRY_NAME_LANGUAGES = ("de", "fr", "es", "it", "nl", "pt", "sv", "da", "nb_NO", "fi", "pl", "cs", "ga", "tr")


def _country_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


@cache
def _country_index() -> dict[str, str]:
    """key -> alpha-2: ISO codes and English names first, then aliases, then the translated names."""
    index: dict[str, str] = {}
    countries = list(pycountry.countries)
    for country in countries:
        for name in (country.alpha_2, country.alpha_3, country.name, getattr(country, "official_name", ""),
                     getattr(country, "common_name", "")):
            if name:
                index.setdefault(_country_key(name), country.alpha_2)
    for alias, code in _COUNTRY_ALIASES.items():
        index.setdefault(alias, code)
    for language in _COUNTRY_NAME_LANGUAGES:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        for country in countries:
            index.setdefault(_country_key(translation.gettext(country.name)), country.alpha_2)
    return index


def parse_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 from a code (GB, GBR) or a name in English or a main European language
    (United Kingdom, UK, Deutschland, EIRE); None for "no country" (empty, Unspecified). Regions that
    are not one country (European Community, Channel Islands) raise ValueError."""
    key = _country_key(text)
    if not key or key in _NO_COUNTRY:
        return None
    code = _country_index().get(key)
    if code is None:
        raise ValueError("not a country we know (use a country name or its ISO code, e.g. GB)")
    return code


_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}


def parse_currency(text: str) -> str:
    value = text.strip()
    code = _CURRENCY_SIGNS.get(value, value.upper())
    if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError("not a currency code (ISO 4217, e.g. EUR)")
    return code


# --- order states ---------------------------------------------------------------------------------
# This project's states (chalicelib/domain/order_status.py), written out: the domain stays importable on
# its own. Status words of Shopify, WooCommerce, Magento and plain English move one or more axes.

STATUS, PAYMENT_STATUS, FULFILLMENT_STATUS = "status", "payment_status", "fulfillment_status"
_OPEN, _CANCELLED, _REJECTED, _COMPLETED = "open", "cancelled", "rejected", "completed"
_AWAITING_PAYMENT, _AWAITING_VERIFICATION, _PAID, _PAYMENT_FAILED, _REFUNDED = (
    "awaiting_payment", "awaiting_verification", "paid", "payment_failed", "refunded")
_UNFULFILLED, _PROCESSING, _SHIPPED, _DELIVERED, _RETURNED = (
    "unfulfilled", "processing", "shipped", "delivered", "returned")

def _words(words: tuple[str, ...], axes: dict[str, str]) -> dict[str, dict[str, str]]:
    return {word: dict(axes) for word in words}


_STATUS_WORDS: dict[str, dict[str, str]] = {
    **_words(("open", "new", "received"), {STATUS: _OPEN}),
    **_words(("completed", "complete", "closed", "done"),
                    {STATUS: _COMPLETED, PAYMENT_STATUS: _PAID, FULFILLMENT_STATUS: _DELIVERED}),
    **_words(("cancelled", "canceled", "cancelation", "cancellation", "storniert", "annulee"),
                    {STATUS: _CANCELLED}),
    **_words(("rejected", "declined", "fraud", "refused"), {STATUS: _REJECTED}),
    **_words(("paid", "captured", "payment_received", "partially_refunded", "bezahlt", "payee"),
                    {PAYMENT_STATUS: _PAID}),
    **_words(("pending", "pending_payment", "awaiting_payment", "authorized", "partially_paid",
                     "unpaid", "draft", "checkout_draft"), {PAYMENT_STATUS: _AWAITING_PAYMENT}),
    **_words(("on_hold", "holded", "awaiting_verification", "payment_review"),
                    {PAYMENT_STATUS: _AWAITING_VERIFICATION}),
    **_words(("failed", "payment_failed", "voided", "expired"), {PAYMENT_STATUS: _PAYMENT_FAILED}),
    "refunded": {PAYMENT_STATUS: _REFUNDED},
    "processing": {PAYMENT_STATUS: _PAID, FULFILLMENT_STATUS: _PROCESSING},  # WooCommerce: paid, being packed
    **_words(("unfulfilled", "unshipped", "not_shipped"), {FULFILLMENT_STATUS: _UNFULFILLED}),
    **_words(("partial", "partially_fulfilled", "in_progress"), {FULFILLMENT_STATUS: _PROCESSING}),
    "shipped": {FULFILLMENT_STATUS: _SHIPPED},
    # History: goods that left long ago have arrived; "fulfilled" is what Shopify says of them.
    **_words(("fulfilled", "delivered"), {FULFILLMENT_STATUS: _DELIVERED}),
    **_words(("returned", "restocked"), {FULFILLMENT_STATUS: _RETURNED}),
}
# The same word in a column of one axis (Shopify's "Lineitem fulfillment status: pending").
_AXIS_WORDS = {FULFILLMENT_STATUS: {"pending": {FULFILLMENT_STATUS: _UNFULFILLED}}}


def status_changes(text: str, axis: str = STATUS) -> dict[str, str]:
    """The axes a status word sets; ValueError for a word no platform uses."""
    word = re.sub(r"[\s-]+", "_", text.strip().casefold()).removeprefix("wc_")
    changes = _AXIS_WORDS.get(axis, {}).get(word) or _STATUS_WORDS.get(word)
    if changes is None:
        raise ValueError("not an order status we know (open, paid, pending, fulfilled, shipped, completed, "
                         "cancelled, refunded...)")
    return changes


def order_state(given: dict[str, str]) -> dict[str, str]:
    """The three axes of an imported order from what the file said; what it did not say follows from it:
    history is paid and delivered unless called off, and complete when paid (or refunded) and delivered."""
    status = given.get(STATUS)
    called_off = status in (_CANCELLED, _REJECTED)
    payment = given.get(PAYMENT_STATUS) or (_AWAITING_PAYMENT if called_off else _PAID)
    fulfillment = given.get(FULFILLMENT_STATUS) or (
        _DELIVERED if payment in (_PAID, _REFUNDED) and not called_off else _UNFULFILLED)
    if status is None:
        done = payment in (_PAID, _REFUNDED) and fulfillment in (_DELIVERED, _RETURNED)
        status = _COMPLETED if done else _OPEN
    return {STATUS: status, PAYMENT_STATUS: payment, FULFILLMENT_STATUS: fulfillment}


# --- payment and delivery methods -----------------------------------------------------------------

_PAYMENT_METHOD_WORDS = (  # first match wins: "PayPal (card)" is PayPal; "" is none of ours
    ("", "gift card|giftcard|store credit|voucher|gutschein|bon d achat"),
    ("paypal", "paypal"),
    ("cash_on_delivery", "cash on delivery|cod|nachnahme|contre remboursement|contrareembolso|cash"),
    ("wire_transfer", "bank|wire|transfer|bacs|sepa|virement|uberweisung|vorkasse|iban|cheque|check"),
    ("card", ("card|credit|debit|visa|mastercard|amex|american express|stripe|shopify payments|adyen|braintree"
              "|apple pay|google pay|klarna|carte|karte|cb")),
)
_DELIVERY_METHOD_WORDS = (
    ("pickup", "pickup|pick up|collect|click and collect|abholung|retrait|in store|store"),
    ("express", "express|expedited|next day|overnight|priority|same day"),
)


def _first_word_match(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    words = " " + re.sub(r"[^a-z0-9]+", " ", fold(text)) + " "
    for code, pattern in table:
        if re.search(r" (?:" + pattern + r") ", words):
            return code
    return None


def parse_payment_method(text: str) -> str:
    """This project's payment method (card, paypal, wire_transfer, cash_on_delivery) from a gateway name."""
    code = _first_word_match(text, _PAYMENT_METHOD_WORDS)
    if not code:
        raise ValueError("not a payment method we know (card, PayPal, bank transfer, cash on delivery)")
    return code


def parse_delivery_method(text: str) -> str:
    """This project's delivery method: pickup and express by their words, any other shipping is standard."""
    return _first_word_match(text, _DELIVERY_METHOD_WORDS) or "standard"
