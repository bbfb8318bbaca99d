"""Coupons: a code worth a percentage or a fixed amount off an order's subtotal, within a time window,
above a minimum subtotal, a limited number of times (in all, and per customer).

The rules are pure functions of (coupon, subtotal, now, uses): `discount_for` and `refusal`. Whether a
limit still has room at checkout is decided again by the store, atomically (store/coupons.py)."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chalicelib.domain.base import Changes, Input
from chalicelib.domain.clock import iso
from chalicelib.domain.product_inputs import Money


class CouponKind:
    PERCENT = "percent"  # value: 1..100, percent of the subtotal (rounded down)
    FIXED = "fixed"  # value: minor units off the subtotal (never more than the subtotal)


MAX_PERCENT = 100
MAX_FIXED = 10**9

# Why a coupon cannot be used (shown to the shopper).
NOT_YET = "the coupon is not valid yet"
EXPIRED = "the coupon has expired"
USED_UP = "the coupon has been used up"
USED_BY_CUSTOMER = "you have already used this coupon"
UNKNOWN = "there is no coupon with this code"


@dataclass(kw_only=True)
class Coupon:
    code: str
    kind: str
    value: int
    min_subtotal: int = 0  # minor units
    starts_at: str | None = None  # ISO UTC; None: valid from creation
    ends_at: str | None = None  # ISO UTC, exclusive; None: never expires
    usage_limit: int | None = None  # redemptions in all; None: unlimited
    per_customer_limit: int | None = None  # redemptions per customer (or guest email); None: unlimited
    used: int = 0
    created_at: str
    updated_at: str
    version: int | None = field(default=None, metadata={"private": True})


@dataclass
class CouponRedeemed:
    """Written with the order a checkout places: one use of the coupon, counted for `customer_key` too
    when the coupon has a per-customer limit. A limit reached meanwhile cancels the order's transaction."""

    coupon: Coupon
    customer_key: str


def customer_key(customer_id: str | None, email: str | None = None) -> str:
    """Whom a per-customer limit counts: a registered customer by id, a guest by email."""
    if customer_id:
        return f"cust:{customer_id}"
    if email:
        return f"email:{email.strip().lower()}"
    raise ValueError("a customer id or an email is needed")


def normalise_code(code: str) -> str:
    return code.strip().upper()


def discount_for(coupon: Coupon, subtotal: int) -> int:
    """What the coupon takes off `subtotal` (minor units): never more than the subtotal."""
    if subtotal <= 0:
        return 0
    if coupon.kind == CouponKind.PERCENT:
        return subtotal * coupon.value // 100
    return min(coupon.value, subtotal)


def refusal(coupon: Coupon, subtotal: int, now_iso: str, used_by_customer: int) -> str | None:
    """Why the coupon cannot be used now on this subtotal by a customer who used it
    `used_by_customer` times already; None when it can. Times are ISO UTC strings (they sort as text)."""
    if coupon.starts_at is not None and now_iso < coupon.starts_at:
        return NOT_YET
    if coupon.ends_at is not None and now_iso >= coupon.ends_at:
        return EXPIRED
    if coupon.usage_limit is not None and coupon.used >= coupon.usage_limit:
        return USED_UP
    if coupon.per_customer_limit is not None and used_by_customer >= coupon.per_customer_limit:
        return USED_BY_CUSTOMER
    if subtotal < coupon.min_subtotal:
        return f"the order must be at least {_amount(coupon.min_subtotal)}"
    return None


def _amount(minor: int) -> str:
    units, cents = divmod(minor, 100)
    return f"{units}.{cents:02d}"


def problems(coupon: Coupon) -> list[dict]:
    """Rules a coupon built from several inputs (a stored one and a change) must still keep."""
    found = []
    if coupon.kind == CouponKind.PERCENT and coupon.value > MAX_PERCENT:
        found.append({"field": "value", "message": f"a percent coupon is at most {MAX_PERCENT}"})
    if coupon.starts_at is not None and coupon.ends_at is not None and coupon.ends_at <= coupon.starts_at:
        found.append({"field": "ends_at", "message": "must be after starts_at"})
    return found


# Inputs (pydantic) --------------------------------------------------------------------------------


def _text_only(value):
    """A time must be sent as an ISO-8601 string (pydantic would also take a number of seconds)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO-8601 date and time with a timezone, e.g. 2026-11-02T09:00:00Z")
    return value


def _utc_text(moment: datetime) -> str:
    try:
        return iso(moment)
    except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00: past the calendar's end in UTC
        raise ValueError("must be a time the calendar can hold in UTC") from None


Code = Annotated[str, BeforeValidator(lambda v: normalise_code(v) if isinstance(v, str) else v),
                 StringConstraints(pattern=r"^[A-Z0-9_-]{3,32}$")]
Kind = Literal["percent", "fixed"]
Value = Annotated[int, Field(ge=1, le=MAX_FIXED, strict=True)]  # percent: at most 100 (checked below)
Limit = Annotated[int, Field(ge=1, le=10**9, strict=True)]
# Kept as the ISO UTC text we store (with milliseconds and Z), so that times compare as text.
Moment = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_utc_text), PlainSerializer(str, return_type=str)]


class _CouponRules(Input):
    """The rules a draft and a change both obey (on the fields they were given)."""

    @field_validator("value", check_fields=False)
    @classmethod
    def _percent(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("kind") == CouponKind.PERCENT and value > MAX_PERCENT:
            raise ValueError(f"a percent coupon is at most {MAX_PERCENT}")
        return value

    @model_validator(mode="after")
    def _window(self):
        starts, ends = getattr(self, "starts_at", None), getattr(self, "ends_at", None)  # the subclasses' fields
        if starts is not None and ends is not None and ends <= starts:
            raise ValueError("ends_at must be after starts_at")
        return self


class CouponDraft(_CouponRules):
    code: Code
    kind: Kind
    value: Value
    min_subtotal: Money = 0
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    usage_limit: Limit | None = None  # None: unlimited
    per_customer_limit: Limit | None = None


class CouponChanges(_CouponRules, Changes):
    """Only the fields sent change; null clears a date or a limit. The code cannot change."""

    NULLABLE = ("starts_at", "ends_at", "usage_limit", "per_customer_limit")

    kind: Kind | None = None
    value: Value | None = None
    min_subtotal: Money | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    usage_limit: Limit | None = None
    per_customer_limit: Limit | None = None
