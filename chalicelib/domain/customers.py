"""Customers: the record, its statuses, the inputs that create or change it, timeline events."""
import re
from datetime import date, datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from chalicelib.domain.base import Input, Record
from chalicelib.domain import clock
from chalicelib.domain.ids import new_id


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and Z: sorts as text in time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    return iso(clock.now())


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
GroupId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Tag = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
                StringConstraints(pattern=r"^[a-z0-9][a-z0-9 _-]{0,39}$")]
CustomValues = Annotated[dict[str, Any], Field(max_length=50)]


class _Input(Input):
    """Request inputs reject unknown fields: a typo is a 422, not a silently ignored value."""



class CustomerDraft(Input):
    """What staff give to create a customer by hand (no account, no password)."""

    email: Email
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool = False
    comment: Comment = ""
    status: Annotated[str, Field(pattern="^(active|inactive|blocked)$")] = CustomerStatus.ACTIVE
    group_id: GroupId | None = None
    tags: Annotated[list[Tag], Field(max_length=40)] = []  # with the search entries: one transaction
    custom_fields: CustomValues = {}


class ProfileChanges(Input):
    """What shoppers may change on their own record: only the fields sent are changed."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool | None = None


class CustomerChanges(ProfileChanges):
    """What staff may change: the profile, plus email, internal comment, status, group, custom fields."""

    email: Email | None = None
    comment: Comment | None = None
    status: Annotated[str, Field(pattern="^(active|inactive|blocked|pending)$")] | None = None
    group_id: GroupId | None = None
    custom_fields: CustomValues | None = None


class Registration(Input):
    """A shopper creating an account on the storefront."""

    email: Email
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    accepts_marketing: bool = False
    custom_fields: CustomValues = {}


class Credentials(Input):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=200)]


class OrderSummary(Record):
    """A line of the customer's order history card."""

    id: str
    number: int | None = None
    total: int = 0
    status: str = ""
    created_at: str = ""


class CustomerStats(Record):
    order_count: int = 0
    total_spent: int = 0
    average_order_value: int = 0
    last_order_at: str | None = None
    last_orders: list[OrderSummary] = []


class Customer(Record):
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
    default_billing_address_id: str | None = None
    default_shipping_address_id: str | None = None
    guest_order_id: str | None = None  # a guest entry stands for one order
    stats: CustomerStats = CustomerStats()
    version: int | None = Field(default=None, exclude=True)  # optimistic lock, never shown


class TimelineEvent(Record):
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


# Fields whose change is a happening of its own on the timeline; the rest is "customer_updated".
_OWN_EVENT = {"status": "status_changed", "group_id": "group_changed", "comment": "comment_changed"}


def change_events(actor: str, changes: dict[str, dict]) -> list[TimelineEvent]:
    """One event per kind of change: status, group and comment changes stand alone."""
    events = [_event(_OWN_EVENT[f], actor, {"before": d["before"], "after": d["after"]}) for f, d in changes.items() if f in _OWN_EVENT]
    rest = {f: d for f, d in changes.items() if f not in _OWN_EVENT}
    if rest:
        events.append(_event("customer_updated", actor, {"changes": rest}))
    return events


def email_verified_event(actor: str) -> TimelineEvent:
    return _event("email_verified", actor)


def tag_event(actor: str, tag: str, added: bool) -> TimelineEvent:
    return _event("tag_added" if added else "tag_removed", actor, {"tag": tag})


def address_event(actor: str, kind: str, address_id: str) -> TimelineEvent:
    """kind: added, changed or removed."""
    return _event(f"address_{kind}", actor, {"address_id": address_id})


def note_added_event(actor: str, note_id: str) -> TimelineEvent:
    return _event("note_added", actor, {"note_id": note_id})


def order_placed_event(actor: str, order_id: str, number: int | None, total: int) -> TimelineEvent:
    return _event("order_placed", actor, {"order_id": order_id, "number": number, "total": total})


def new_customer(draft: CustomerDraft | Registration, *, registered: bool, status: str, group_id: str) -> Customer:
    now = utc_now()
    fields = draft.model_dump(exclude={"password", "group_id"})
    fields["status"] = status
    return Customer(id=new_id(), registered=registered, group_id=group_id, created_at=now, updated_at=now, **fields)


class GuestSnapshot(Record):
    """Who a guest order was for, as given at checkout."""

    email: str
    first_name: str
    last_name: str
    phone: str | None = None


def guest_entry(snapshot: GuestSnapshot, order_id: str, stats: CustomerStats, is_test: bool) -> Customer:
    now = utc_now()
    return Customer(id=order_id, guest_order_id=order_id, registered=False, group_id=GUESTS_GROUP_ID, stats=stats,
                    has_test_orders=is_test, created_at=now, updated_at=now, **snapshot.model_dump())


def can_buy(customer: Customer, require_email_verification: bool) -> bool:
    """Checkout is for active accounts, with a verified email when the store requires it."""
    return customer.status == CustomerStatus.ACTIVE and (customer.email_verified or not require_email_verification)


def apply_changes(customer: Customer, changes: CustomerChanges) -> tuple[Customer, dict[str, dict]]:
    """The changed customer and {field: {before, after}} for the timeline; unchanged fields are left out."""
    sent = changes.model_dump(exclude_unset=True)
    diff = {k: {"before": getattr(customer, k), "after": v} for k, v in sent.items() if getattr(customer, k) != v}
    if not diff:
        return customer, {}
    updated = customer.model_copy(update={**{k: d["after"] for k, d in diff.items()}, "updated_at": utc_now()})
    return updated, diff


class CustomerQuery(Input):
    """GET /admin/customers: search, filters, paging. Dates are YYYY-MM-DD (inclusive, UTC)."""

    q: Annotated[str, StringConstraints(max_length=100)] | None = None
    address: Annotated[str, StringConstraints(max_length=100)] | None = None
    group: Annotated[str, StringConstraints(max_length=64)] | None = None
    tag: Tag | None = None
    status: Annotated[str, Field(pattern="^(active|inactive|blocked|pending)$")] | None = None
    registered: bool | None = None
    has_orders: bool | None = None
    created_from: date | None = None
    created_to: date | None = None
    last_order_from: date | None = None
    last_order_to: date | None = None
    custom_field: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}:.{1,100}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    next_token: Annotated[str, StringConstraints(max_length=2048)] | None = None


def day_start(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00.000Z" if day else None


def day_end(day: date | None) -> str | None:
    return f"{day.isoformat()}T23:59:59.999Z" if day else None


def matches(customer: Customer, query: CustomerQuery) -> bool:
    """Every filter of the query holds for the customer (search text is matched by the index)."""
    last = customer.stats.last_order_at
    checks = [
        query.group is None or customer.group_id == query.group,
        query.tag is None or query.tag in customer.tags,
        query.status is None or customer.status == query.status,
        query.registered is None or customer.registered == query.registered,
        query.has_orders is None or (customer.stats.order_count > 0) == query.has_orders,
        query.created_from is None or customer.created_at >= day_start(query.created_from),
        query.created_to is None or customer.created_at <= day_end(query.created_to),
        query.last_order_from is None or (last is not None and last >= day_start(query.last_order_from)),
        query.last_order_to is None or (last is not None and last <= day_end(query.last_order_to)),
    ]
    if query.custom_field:
        key, _, value = query.custom_field.partition(":")
        checks.append(str(customer.custom_fields.get(key)) == value)
    return all(checks)
