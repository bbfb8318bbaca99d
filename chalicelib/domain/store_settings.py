"""The merchant's store settings (one record per store), and the changes staff may make to them."""
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.domain.base import Changes, Input, Record
from chalicelib.domain.customer_inputs import Name
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import DEFAULT_DELIVERY_METHODS
from chalicelib.domain.product_inputs import Money


class Invoicing(Input):
    enabled: bool = False
    issue_for: Literal["all", "companies"] = "all"


def _time_zone(name: str) -> str:
    """An IANA time zone name ("Europe/Paris"), as the time zone database knows it."""
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError("an IANA time zone name, e.g. Europe/Paris") from None
    return name


# The store's days (reports, the nightly files) are days in this zone.
TimeZone = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-/]*$"),
                     AfterValidator(_time_zone)]


# A delivery method's code: what orders, carts and filters name it by (kept by its orders for good).
DeliveryCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]


class DeliveryMethod(Input):
    """One way the store delivers: its fee, free from a goods total on (`free_over`, after discounts),
    and whether shoppers and staff may choose it for new orders (`active`)."""

    code: DeliveryCode
    name: Name
    fee: Money
    free_over: Money | None = None
    active: bool = True

    def fee_for(self, goods_total: int) -> int:
        """The fee of an order whose lines come to `goods_total` after discounts."""
        return 0 if self.free_over is not None and goods_total >= self.free_over else self.fee


def _usable(methods: list[DeliveryMethod]) -> list[DeliveryMethod]:
    codes = [m.code for m in methods]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise ValueError(f"each code at most once ({', '.join(repeated)} repeated)")
    if not any(m.active for m in methods):
        raise ValueError("at least one delivery method must be active")
    return methods


DeliveryMethods = Annotated[list[DeliveryMethod], Field(min_length=1, max_length=20), AfterValidator(_usable)]


def _default_delivery_methods() -> list[DeliveryMethod]:
    return [DeliveryMethod(code=code, name=name, fee=fee) for code, name, fee in DEFAULT_DELIVERY_METHODS]


class StoreSettings(Record):
    abandoned_cart_delay_minutes: Annotated[int, Field(ge=30, le=180)] = 60
    require_email_verification: bool = False
    auto_validate_accounts: bool = True
    default_group_id: str = "default"
    invoicing: Invoicing = Invoicing()
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "EUR"
    unpaid_order_cancel_hours: Annotated[int, Field(ge=1, le=720)] = 48  # online orders left unpaid
    timezone: TimeZone = "UTC"
    delivery_methods: DeliveryMethods = Field(default_factory=_default_delivery_methods)

    def delivery_method(self, code: str | None) -> DeliveryMethod:
        """The active method of this code (None: the first active one); a 422 naming the valid codes otherwise."""
        active = [m for m in self.delivery_methods if m.active]
        found = active[0] if code is None else next((m for m in active if m.code == code), None)
        if found is None:
            raise _not_offered(code, [m.code for m in active], "an active delivery method")
        return found

    def known_delivery_code(self, code: str) -> str:
        """A code of any of the store's methods, active or not (filters find the orders of a retired method)."""
        codes = [m.code for m in self.delivery_methods]
        if code not in codes:
            raise _not_offered(code, codes, "one of the store's delivery methods")
        return code


def _not_offered(code: str | None, valid: list[str], what: str) -> InvalidInput:
    message = f"'{code}' is not {what}: use one of {', '.join(valid)}."
    return InvalidInput(message, [{"field": "delivery_method", "message": message, "valid": valid}])


class SettingsChanges(Changes):
    abandoned_cart_delay_minutes: Annotated[int, Field(ge=30, le=180)] | None = None
    require_email_verification: bool | None = None
    auto_validate_accounts: bool | None = None
    default_group_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    invoicing: Invoicing | None = None
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] | None = None
    unpaid_order_cancel_hours: Annotated[int, Field(ge=1, le=720)] | None = None
    timezone: TimeZone | None = None
    delivery_methods: DeliveryMethods | None = None  # the whole list: it replaces the store's
