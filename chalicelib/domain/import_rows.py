"""Rows of an import file to records: a customer or an order line, or the reasons the row is refused.

The API's own validators (customer_inputs, custom_fields) judge every value, so an imported customer
obeys the same rules as one created by hand. What the record cannot do without refuses the row
(email, names, company, note, group, custom fields, dates; for orders the reference, product, quantity,
price, money, currency); contact details a platform would refuse the whole row for are dropped with a
warning instead, and the customer is imported (an invalid phone, an incomplete address, an unknown
country, a tag that needs cleaning, an unreadable marketing consent).

A value left empty is `None` (or empty) in the record: it was not given, so an update keeps what the
store has.
"""
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from typing import Annotated, Any, TypeVar

from pydantic import StringConstraints, TypeAdapter, ValidationError

from chalicelib.domain.csv_files import CsvRow
from chalicelib.domain.custom_fields import CustomField, validate_values
from chalicelib.domain.customer_inputs import Comment, Email, Name, OptionalText, Phone, Tag
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.import_mapping import CUSTOM, ORDER_LEVEL_TARGETS, MappedColumns, preset_named
from chalicelib.domain.import_values import (
    FULFILLMENT_STATUS,
    PAYMENT_STATUS,
    STATUS,
    is_missing,
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
from chalicelib.domain.text import fold, normalize_email

MAX_TAGS = 40  # as many as a customer may carry (customer_inputs.CustomerDraft)
_MAX_ID = 100  # characters of an external id or an order reference
_MAX_SKU = 64
_ProductName = Annotated[Name, StringConstraints(max_length=200)]  # a Name, longer (as the catalogue's)

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    column: str | None
    message: str

    def __str__(self) -> str:
        return f'column "{self.column}": {self.message}' if self.column else self.message


@dataclass(frozen=True)
class RejectedRow:
    row: int
    problems: tuple[Problem, ...]

    @property
    def message(self) -> str:
        """What the error file and the job's `errors` say: every reason, each with its column."""
        return "; ".join(map(str, self.problems))


@dataclass(frozen=True)
class ImportContext:
    """What the store knows that rows are checked against, given as plain data by the job."""

    custom_fields: tuple[CustomField, ...] = ()
    groups: Mapping[str, str] = field(default_factory=dict)  # group id -> name
    timezone: str = "UTC"  # dates without a zone are the store's local time
    decimal_comma: bool = False  # the file's convention (CsvFormat.decimal_comma)
    day_first: bool = False  # 03/04/2024 is the 3rd of April
    preset: str | None = None  # the file's recognised layout, for its own rules
    currency_digits: int = 2  # minor units of the store's currency


@dataclass(frozen=True)
class ImportedAddress:
    line1: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    line2: str | None = None
    region: str | None = None
    zip: str | None = None


@dataclass(frozen=True)
class ImportedCustomer:
    row: int
    email: str  # as validated by the API's rule
    email_key: str  # normalize_email(email): one customer per key, in a file and in the store
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    company: str | None = None
    accepts_marketing: bool | None = None
    note: str | None = None
    tags: tuple[str, ...] = ()
    group_id: str | None = None
    address: ImportedAddress | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None  # UTC
    external_id: str | None = None  # the customer's id on the platform the file comes from
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class ImportedOrderLine:
    row: int
    order_ref: str  # lines with the same reference make one order
    quantity: int  # at least 1
    unit_price: int  # minor units
    sku: str | None = None
    product_name: str | None = None
    negative_quantity: bool = False  # the file had -quantity (allowed on a cancelled order's lines only)
    # The order's own fields: meaningful on a line where `order_fields_present` (Shopify writes them on
    # the first line of each order only; files without such columns carry them on every line).
    order_fields_present: bool = True
    placed_at: datetime | None = None  # UTC
    customer_email: str | None = None
    customer_email_key: str | None = None
    customer_external_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    currency: str | None = None
    status: str = "completed"
    payment_status: str = "paid"
    fulfillment_status: str = "delivered"
    cancelled_at: datetime | None = None
    shipping: int | None = None
    discount: int | None = None
    refunded: int | None = None
    payment_method: str | None = None  # card, paypal, wire_transfer or cash_on_delivery
    delivery_method: str | None = None  # standard, express or pickup
    country: str | None = None
    warnings: tuple[Problem, ...] = ()


# --- the API's validators -------------------------------------------------------------------------


@cache
def _adapters() -> dict[str, TypeAdapter]:
    """Built on first use: the cold start of functions that never import pays nothing."""
    return {"email": TypeAdapter(Email), "name": TypeAdapter(Name), "text": TypeAdapter(OptionalText),
            "phone": TypeAdapter(Phone), "comment": TypeAdapter(Comment), "tag": TypeAdapter(Tag),
            "product_name": TypeAdapter(_ProductName)}


@lru_cache(maxsize=4096)
def _valid(kind: str, value: str) -> str:
    """The value as the API's validator of `kind` takes it. Remembered: a file repeats its values (an
    order's email and names on each of its lines, a customer's on each of their orders)."""
    try:
        return _adapters()[kind].validate_python(value)
    except ValidationError as error:
        raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None


def split_full_name(full_name: str) -> tuple[str, str | None]:
    """(first, last): the last word is the last name; a single word is a first name alone."""
    words = full_name.split()
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]


def _limited(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")
        return value
    return check


# --- reading one row ------------------------------------------------------------------------------


class _Row:
    """One row's values by target, and what was found wrong with them."""

    def __init__(self, values: dict[str, str], columns: MappedColumns):
        self.values, self.columns = values, columns
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def value(self, target: str, *, literal: bool = False) -> tuple[str | None, str]:
        """(column, text) of the target's first non-empty value; markers like NA count as empty
        unless the target is free text (`literal`)."""
        column, text = self.columns.first(target, self.values)
        if not literal and is_missing(text):
            return column, ""
        return column, text

    def column(self, target: str) -> str | None:
        return next(iter(self.columns.columns_of.get(target, ())), None)

    def required(self, target: str, parse: Callable[[str], T], missing: str, *, literal: bool = False) -> T | None:
        column, text = self.value(target, literal=literal)
        if not text:
            self.problems.append(Problem(column or self.column(target), missing))
            return None
        return self.strict(target, parse, literal=literal, given=(column, text))

    def strict(self, target: str, parse: Callable[[str], T], *, literal: bool = False,
               given: tuple[str | None, str] | None = None) -> T | None:
        """The parsed value, None when empty; a bad value refuses the row."""
        column, text = given or self.value(target, literal=literal)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as error:
            self.problems.append(Problem(column, str(error)))
            return None

    def lenient(self, target: str, parse: Callable[[str], T], dropped: str) -> T | None:
        """The parsed value, None when empty; a bad value is dropped with a warning."""
        column, text = self.value(target)
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as error:
            self.warnings.append(Problem(column, f"{dropped}: {error}"))
            return None


def _names(row: _Row) -> tuple[str | None, str | None]:
    """First and last name: their own columns win; a full name fills what they leave empty."""
    first = row.strict("first_name", lambda v: _valid("name", v), literal=True)
    last = row.strict("last_name", lambda v: _valid("name", v), literal=True)
    full_column, full = row.value("full_name", literal=True)
    if full and (first is None or last is None):
        split_first, split_last = split_full_name(full)
        try:
            first = first or _valid("name", split_first)
            last = last or (_valid("name", split_last) if split_last else None)
        except ValueError as error:
            row.problems.append(Problem(full_column, str(error)))
    return first, last


def _email(row: _Row, target: str, *, required: bool) -> tuple[str | None, str | None]:
    def parse(value: str) -> str:
        return _valid("email", value)
    email = (row.required(target, parse, "no email address: every customer needs one") if required
             else row.strict(target, parse))
    return email, normalize_email(email) if email else None


# --- customers ------------------------------------------------------------------------------------


class CustomerRows:
    """Turns the rows of one file into customers; built once per job (and chunk), used per row."""

    def __init__(self, mapping: dict[str, str], context: ImportContext = ImportContext()):
        self._columns = MappedColumns.of(mapping)
        self._context = context
        self._fields = {definition.key: definition for definition in context.custom_fields}
        self._custom_keys = [target[len(CUSTOM):] for target in self._columns.columns_of if target.startswith(CUSTOM)]
        by_name = {fold(name): group_id for group_id, name in context.groups.items()}
        self._groups = {**by_name, **{group_id.casefold(): group_id for group_id in context.groups}}

    def record(self, csv_row: CsvRow) -> ImportedCustomer | RejectedRow:
        if csv_row.error:
            return RejectedRow(csv_row.number, (Problem(None, csv_row.error),))
        row = _Row(csv_row.values, self._columns)
        email, email_key = _email(row, "email", required=True)
        first_name, last_name = _names(row)
        phone = row.lenient("phone", lambda v: _valid("phone", v), "phone not imported")
        company = row.strict("company", lambda v: _valid("text", v) or None, literal=True)
        accepts_marketing = row.lenient("accepts_marketing", parse_consent, "marketing consent not imported")
        note = row.strict("note", lambda v: _valid("comment", v), literal=True)
        tags = self._tags(row)
        group_id = row.strict("group", self._group_id)
        address = self._address(row)
        custom_fields = self._custom_fields(row)
        created_at = row.strict("created_at", self._moment)
        external_id = row.strict("external_id", _limited(_MAX_ID))
        if row.problems or email is None or email_key is None:
            return RejectedRow(csv_row.number, tuple(row.problems))
        return ImportedCustomer(
            row=csv_row.number, email=email, email_key=email_key, first_name=first_name, last_name=last_name,
            phone=phone, company=company, accepts_marketing=accepts_marketing, note=note, tags=tags,
            group_id=group_id, address=address, custom_fields=custom_fields, created_at=created_at,
            external_id=external_id, warnings=tuple(row.warnings))

    def _moment(self, text: str) -> datetime:
        return parse_moment(text, zone=self._context.timezone, day_first=self._context.day_first)

    def _group_id(self, value: str) -> str:
        group_id = self._groups.get(value.casefold()) or self._groups.get(fold(value))
        if group_id is None:
            raise ValueError(f'the store has no customer group "{value}"')
        return group_id

    def _tags(self, row: _Row) -> tuple[str, ...]:
        """Comma-separated, normalised like the API's Tag; a tag it refuses is cleaned (accents folded,
        other signs dropped) with a warning, or dropped if nothing is left; at most MAX_TAGS."""
        tags: list[str] = []
        for column, text in row.columns.all("tags", row.values):
            for raw in text.split(","):
                if not raw.strip():
                    continue
                tag = _tag(raw)
                if tag is None:
                    row.warnings.append(Problem(column, f'tag "{raw.strip()}" not imported: use letters, digits, '
                                                        "spaces, - and _"))
                    continue
                if tag != raw.strip().lower():
                    row.warnings.append(Problem(column, f'tag "{raw.strip()}" imported as "{tag}"'))
                if tag not in tags:
                    tags.append(tag)
        if len(tags) > MAX_TAGS:
            row.warnings.append(Problem(row.column("tags"), f"only the first {MAX_TAGS} tags imported"))
        return tuple(tags[:MAX_TAGS])

    def _address(self, row: _Row) -> ImportedAddress | None:
        """The default address; a multi-line street gives its first line to line1, the rest to line2.
        Without a street, a city and a known country it is not imported (the customer is)."""
        parts = {target: row.value(f"address.{target}", literal=target != "country")
                 for target in ("line1", "line2", "city", "region", "zip", "country")}
        given = [column for column, text in parts.values() if text]
        if not given:
            return None
        street = [line.strip() for line in parts["line1"][1].splitlines() if line.strip()]
        line2 = ", ".join(street[1:] + ([parts["line2"][1]] if parts["line2"][1] else [])) or None
        try:
            country = parse_country(parts["country"][1]) if parts["country"][1] else None
            address = ImportedAddress(
                line1=_limited(200)(street[0]) if street else "", line2=_limited(200)(line2) if line2 else None,
                city=_limited(100)(parts["city"][1]), country=country or "",
                region=_valid("text", parts["region"][1]) or None, zip=_limited(20)(parts["zip"][1]) or None)
        except ValueError as error:
            row.warnings.append(Problem(given[0], f"address not imported: {error}"))
            return None
        if not (address.line1 and address.city and address.country):
            row.warnings.append(Problem(given[0], "address not imported: it needs a street, a city and a country"))
            return None
        return address

    def _custom_fields(self, row: _Row) -> dict[str, Any]:
        """Typed as the API types them: text converted to the field's type first (numbers in the file's
        decimal convention, dates as the file writes them, a choice matched whatever its case)."""
        values, column_of = {}, {}
        for key in self._custom_keys:
            definition = self._fields.get(key)
            column, text = row.value(CUSTOM + key, literal=definition is not None and definition.type == "text")
            if not text:
                continue
            column_of[key] = column
            try:
                values[key] = self._custom_value(definition, text)
            except ValueError as error:
                row.problems.append(Problem(column, str(error)))
        try:
            return validate_values(values, list(self._context.custom_fields), partial=True)
        except InvalidInput as error:
            for detail in error.details:
                key = detail["field"].removeprefix("custom_fields.")
                row.problems.append(Problem(column_of.get(key), detail["message"]))
            return {}

    def _custom_value(self, definition: CustomField | None, text: str) -> Any:
        if definition is None or definition.type == "text":
            return text
        if definition.type == "number":
            number = parse_decimal(text, decimal_comma=self._context.decimal_comma)
            return int(number) if number == number.to_integral_value() else float(number)
        if definition.type == "date":
            return parse_date(text, zone=self._context.timezone, day_first=self._context.day_first).isoformat()
        return next((option for option in definition.options if option.casefold() == text.casefold()), text)


def _tag(raw: str) -> str | None:
    cleaned = " ".join(re.sub(r"[^a-z0-9 _-]+", " ", fold(raw)).split()).strip("-_ ")[:40].strip()
    for candidate in (raw.strip().lower(), cleaned):
        try:
            return _valid("tag", candidate)
        except ValueError:
            continue
    return None


# --- orders ---------------------------------------------------------------------------------------


class OrderLineRows:
    """Turns the rows of one file into order lines (one row per line, grouped later by order_ref)."""

    def __init__(self, mapping: dict[str, str], context: ImportContext = ImportContext()):
        self._columns = MappedColumns.of(mapping)
        self._context = context
        self._order_level = [target for target in self._columns.columns_of if target in ORDER_LEVEL_TARGETS]
        preset = preset_named(context.preset)
        self._cancelled_prefix = preset.cancelled_ref_prefix if preset else None

    def _money(self, text: str) -> int:
        return parse_money(text, decimal_comma=self._context.decimal_comma, digits=self._context.currency_digits)

    def _moment(self, text: str) -> datetime:
        return parse_moment(text, zone=self._context.timezone, day_first=self._context.day_first)

    def record(self, csv_row: CsvRow) -> ImportedOrderLine | RejectedRow:
        if csv_row.error:
            return RejectedRow(csv_row.number, (Problem(None, csv_row.error),))
        row = _Row(csv_row.values, self._columns)
        money, moment = self._money, self._moment
        order_ref = row.required("order_ref", _limited(_MAX_ID), "no order reference", literal=True)
        sku = row.strict("sku", _limited(_MAX_SKU), literal=True)
        product_name = row.strict("product_name", lambda v: _valid("product_name", v), literal=True)
        if sku is None and product_name is None and not row.problems:
            row.problems.append(Problem(row.column("sku") or row.column("product_name"), "no sku and no product name"))
        quantity = row.required("quantity", lambda v: _quantity(v, self._context.decimal_comma), "no quantity")
        unit_price = row.required("unit_price", lambda v: _not_negative(money(v)), "no unit price")
        email, email_key = _email(row, "customer_email", required=False)
        first_name, last_name = _names(row)
        placed_at = row.strict("placed_at", moment)
        customer_external_id = row.strict("customer_external_id", _limited(_MAX_ID))
        currency = row.strict("currency", parse_currency)
        cancelled_at = row.strict("cancelled_at", moment)
        shipping = row.strict("shipping", lambda v: _not_negative(money(v)))
        discount = row.strict("discount", lambda v: abs(money(v)))
        refunded = row.strict("refunded", lambda v: abs(money(v)))
        payment_method = row.lenient("payment_method", parse_payment_method, "payment method not imported")
        delivery_method = row.strict("delivery_method", parse_delivery_method)
        country = row.lenient("country", parse_country, "country not imported")
        state = self._state(row, order_ref, cancelled_at)
        if quantity is not None and quantity < 0 and state[STATUS] != "cancelled":
            row.problems.append(Problem(row.column("quantity"),
                                        "a negative quantity belongs only to a cancelled order"))
        if row.problems or order_ref is None or quantity is None or unit_price is None:
            return RejectedRow(csv_row.number, tuple(row.problems))
        return ImportedOrderLine(
            row=csv_row.number, order_ref=order_ref, quantity=abs(quantity), unit_price=unit_price, sku=sku,
            product_name=product_name, negative_quantity=quantity < 0,
            order_fields_present=not self._order_level or any(row.value(t)[1] for t in self._order_level),
            placed_at=placed_at, customer_email=email, customer_email_key=email_key,
            customer_external_id=customer_external_id, first_name=first_name, last_name=last_name,
            currency=currency, status=state[STATUS], payment_status=state[PAYMENT_STATUS],
            fulfillment_status=state[FULFILLMENT_STATUS], cancelled_at=cancelled_at, shipping=shipping,
            discount=discount, refunded=refunded, payment_method=payment_method, delivery_method=delivery_method,
            country=country, warnings=tuple(row.warnings))

    def _state(self, row: _Row, order_ref: str | None, cancelled_at: datetime | None) -> dict[str, str]:
        """Status words of every status column (a general status first, then each axis' own column),
        a cancellation date, and the preset's cancellation references (UCI: invoice C536379)."""
        given: dict[str, str] = {}
        for target in (STATUS, PAYMENT_STATUS, FULFILLMENT_STATUS):
            for column, text in row.columns.all(target, row.values):
                try:
                    given.update(status_changes(text, target))
                except ValueError as error:
                    row.problems.append(Problem(column, str(error)))
        cancelled_ref = bool(self._cancelled_prefix and order_ref and order_ref.startswith(self._cancelled_prefix))
        if cancelled_at or cancelled_ref:
            given[STATUS] = "cancelled"
        return order_state(given)


def _quantity(text: str, decimal_comma: bool) -> int:
    quantity = parse_quantity(text, decimal_comma=decimal_comma)
    if quantity == 0:
        raise ValueError("the quantity is 0")
    return quantity


def _not_negative(amount: int) -> int:
    if amount < 0:
        raise ValueError("must not be negative")
    return amount
