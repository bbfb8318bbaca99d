"""Customers: the record, its statuses, timeline events, and the rules on them.

Plain dataclasses: reading a customer (the hot path) needs no validation library. What clients send
is validated by the pydantic models of `customer_inputs`."""
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, overload

from chalicelib.domain.clock import utc_now
from chalicelib.domain.ids import new_id
from chalicelib.domain.records import PRIVATE
from chalicelib.domain.timeline import TimelineEvent, new_event


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


@dataclass
class OrderSummary:
    """A line of the customer's order history card."""

    id: str
    number: int | None = None
    total: int = 0
    status: str = ""
    created_at: str = ""


@dataclass
class CustomerStats:
    order_count: int = 0
    total_spent: int = 0
    average_order_value: int = 0
    last_order_at: str | None = None
    last_orders: list[OrderSummary] = field(default_factory=list)


@dataclass
class Customer:
    id: str
    email: str
    first_name: str
    last_name: str
    created_at: str
    updated_at: str
    phone: str | None = None
    company: str | None = None
    accepts_marketing: bool = False
    status: str = CustomerStatus.ACTIVE
    registered: bool = False
    email_verified: bool = False
    group_id: str = DEFAULT_GROUP_ID
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    has_test_orders: bool = False
    default_billing_address_id: str | None = None
    default_shipping_address_id: str | None = None
    guest_order_id: str | None = None  # a guest entry stands for one order
    external_id: str | None = None  # the customer's id on the platform they were imported from
    stats: CustomerStats = field(default_factory=CustomerStats)
    version: int | None = field(default=None, metadata=PRIVATE)  # optimistic lock, never shown


PROFILE_FIELDS = tuple(f.name for f in dataclasses.fields(Customer) if f.name not in ("stats", "version"))


def replace(customer: Customer, **changes) -> Customer:
    return dataclasses.replace(customer, **changes)


@dataclass
class VerificationToken:
    """A single-use email verification token as stored: only its SHA-256, whose customer, until when
    (epoch seconds; checked on read, TTL deletion lags)."""

    token_hash: str
    customer_id: str
    expires_at: int


@dataclass
class GuestSnapshot:
    """Who a guest order was for, as given at checkout."""

    email: str
    first_name: str
    last_name: str
    phone: str | None = None


def customer_created_event(actor: str, registered: bool) -> TimelineEvent:
    return new_event("customer_created", actor, {"registered": registered})


# Fields whose change is a happening of its own on the timeline; the rest is "customer_updated".
_OWN_EVENT = {"status": "status_changed", "group_id": "group_changed", "comment": "comment_changed"}


def change_events(actor: str, changes: dict[str, dict]) -> list[TimelineEvent]:
    """One event per kind of change: status, group and comment changes stand alone."""
    events = [new_event(_OWN_EVENT[f], actor, {"before": d["before"], "after": d["after"]}) for f,
              d in changes.items() if f in _OWN_EVENT]
    rest = {f: d for f, d in changes.items() if f not in _OWN_EVENT}
    if rest:
        events.append(new_event("customer_updated", actor, {"changes": rest}))
    return events


def email_verified_event(actor: str) -> TimelineEvent:
    return new_event("email_verified", actor)


def tag_event(actor: str, tag: str, added: bool) -> TimelineEvent:
    return new_event("tag_added" if added else "tag_removed", actor, {"tag": tag})


def address_event(actor: str, kind: str, address_id: str) -> TimelineEvent:
    """kind: added, changed or removed."""
    return new_event(f"address_{kind}", actor, {"address_id": address_id})


def note_added_event(actor: str, note_id: str) -> TimelineEvent:
    return new_event("note_added", actor, {"note_id": note_id})


def order_placed_event(actor: str, order_id: str, number: int | None, total: int, event_id: str | None = None
                       ) -> TimelineEvent:
    return new_event("order_placed", actor, {"order_id": order_id, "number": number, "total": total}, event_id=event_id)


def new_customer(draft, *, registered: bool, status: str, group_id: str) -> Customer:
    """From a validated CustomerDraft or Registration."""
    now = utc_now()
    fields = draft.model_dump(exclude={"password", "group_id", "status"})
    return Customer(id=new_id(), registered=registered, status=status, group_id=group_id, created_at=now,
                    updated_at=now, **fields)


def guest_entry(snapshot: GuestSnapshot, order_id: str, stats: CustomerStats, is_test: bool) -> Customer:
    now = utc_now()
    return Customer(id=order_id, guest_order_id=order_id, registered=False, group_id=GUESTS_GROUP_ID, stats=stats,
                    has_test_orders=is_test, created_at=now, updated_at=now, **dataclasses.asdict(snapshot))


def can_buy(customer: Customer, require_email_verification: bool) -> bool:
    """Checkout is for active accounts, with a verified email when the store requires it."""
    return customer.status == CustomerStatus.ACTIVE and (customer.email_verified or not require_email_verification)


def apply_changes(customer: Customer, sent: dict[str, Any]) -> tuple[Customer, dict[str, dict]]:
    """The changed customer and {field: {before, after}} for the timeline; unchanged fields are left
    out. `sent`: the fields a validated change carries."""
    diff = {k: {"before": getattr(customer, k), "after": v} for k, v in sent.items() if getattr(customer, k) != v}
    if not diff:
        return customer, {}
    return replace(customer, **{k: d["after"] for k, d in diff.items()}, updated_at=utc_now()), diff


@overload
def day_start(day: date) -> str: ...
@overload
def day_start(day: None) -> None: ...
def day_start(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00.000Z" if day else None


@overload
def day_end(day: date) -> str: ...
@overload
def day_end(day: None) -> None: ...
def day_end(day: date | None) -> str | None:
    return f"{day.isoformat()}T23:59:59.999Z" if day else None


def matches(customer: Customer, query) -> bool:
    """Every filter of a CustomerQuery holds for the customer (search text is matched by the index)."""
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
