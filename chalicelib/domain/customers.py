"""Customers: the record, its statuses, the inputs that create or change it, timeline events."""
import re
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from chalicelib.domain.ids import new_id


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CustomerStatus:
    ACTIVE = "active"  # may log in and buy
    INACTIVE = "inactive"  # switched off by staff; cannot log in
    BLOCKED = "blocked"  # refused by staff; cannot log in
    PENDING = "pending"  # waiting for staff validation (auto_validate_accounts off)
    ALL = (ACTIVE, INACTIVE, BLOCKED, PENDING)

    @staticmethod
    def can_log_in(status: str) -> bool:
        return status == CustomerStatus.ACTIVE


DEFAULT_GROUP_ID = "default"
GUESTS_GROUP_ID = "guests"

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")


def _plain_text(value: str) -> str:
    if "<" in value or ">" in value:
        raise ValueError("must be plain text (no '<' or '>')")
    return value


def _phone(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 6 <= digits <= 15:
        raise ValueError("must be a phone number: digits, spaces, + ( ) . - (6 to 15 digits)")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(_plain_text)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_plain_text)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(_phone)]
Comment = Annotated[str, StringConstraints(max_length=2000)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]


class _Input(BaseModel):
    """Request inputs reject unknown fields: a typo is a 422, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")


class CustomerDraft(_Input):
    """What staff give to create a customer by hand (no account, no password)."""

    email: Email
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool = False
    comment: Comment = ""
    status: Annotated[str, Field(pattern="^(active|inactive|blocked)$")] = CustomerStatus.ACTIVE


class ProfileChanges(_Input):
    """What shoppers may change on their own record: only the fields sent are changed."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool | None = None


class CustomerChanges(ProfileChanges):
    """What staff may change: the profile, plus email, internal comment and status."""

    email: Email | None = None
    comment: Comment | None = None
    status: Annotated[str, Field(pattern="^(active|inactive|blocked|pending)$")] | None = None


class Registration(_Input):
    """A shopper creating an account on the storefront."""

    email: Email
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    accepts_marketing: bool = False


class Credentials(_Input):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=200)]


class OrderSummary(BaseModel):
    """A line of the customer's order history card."""

    id: str
    number: int | None = None
    total: int = 0
    status: str = ""
    created_at: str = ""


class CustomerStats(BaseModel):
    order_count: int = 0
    total_spent: int = 0
    average_order_value: int = 0
    last_order_at: str | None = None
    last_orders: list[OrderSummary] = []


class Customer(BaseModel):
    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    company: str | None = None
    accepts_marketing: bool = False
    status: str = CustomerStatus.ACTIVE
    registered: bool = False
    email_verified: bool = False
    group_id: str = DEFAULT_GROUP_ID
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}
    comment: str = ""
    has_test_orders: bool = False
    created_at: str
    updated_at: str
    stats: CustomerStats = CustomerStats()
    version: int | None = Field(default=None, exclude=True)  # optimistic lock, never shown


class TimelineEvent(BaseModel):
    """One small, append-only record per happening (type in the past tense)."""

    id: str
    type: str
    at: str
    actor: str
    data: dict[str, Any] = {}


def _event(event_type: str, actor: str, data: dict | None = None) -> TimelineEvent:
    return TimelineEvent(id=new_id(), type=event_type, at=utc_now(), actor=actor, data=data or {})


def customer_created_event(actor: str, registered: bool) -> TimelineEvent:
    return _event("customer_created", actor, {"registered": registered})


def customer_updated_event(actor: str, changes: dict[str, dict]) -> TimelineEvent:
    return _event("customer_updated", actor, {"changes": changes})


def new_customer(draft: CustomerDraft | Registration, *, registered: bool, status: str) -> Customer:
    now = utc_now()
    fields = draft.model_dump(exclude={"password"})
    fields["status"] = status
    return Customer(id=new_id(), registered=registered, created_at=now, updated_at=now, **fields)


def apply_changes(customer: Customer, changes: CustomerChanges) -> tuple[Customer, dict[str, dict]]:
    """The changed customer and {field: {before, after}} for the timeline; unchanged fields are left out."""
    sent = changes.model_dump(exclude_unset=True)
    diff = {k: {"before": getattr(customer, k), "after": v} for k, v in sent.items() if getattr(customer, k) != v}
    if not diff:
        return customer, {}
    updated = customer.model_copy(update={**{k: d["after"] for k, d in diff.items()}, "updated_at": utc_now()})
    return updated, diff
