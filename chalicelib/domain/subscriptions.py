"""Subscriptions: a customer's lines ordered again every period (a cart checked out as recurring).

The record is a plain dataclass; the rules (dates of the periods, the status transitions, the id of a
period's renewal order) are pure functions. What staff send is validated by `SubscriptionChanges`.

Renewals happen on a day (UTC): `next_renewal_at` is always midnight of the renewal's day, and the
daily job renews what is due up to its run."""
import calendar
import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, get_args

from pydantic import model_validator

from chalicelib.domain.base import Changes
from chalicelib.domain.clock import iso
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.ids import new_id
from chalicelib.domain.orders import MAX_LINES, PAYMENT_METHODS
from chalicelib.domain.records import PRIVATE
from chalicelib.domain.timeline import TimelineEvent, new_event


class SubscriptionStatus:
    ACTIVE = "active"  # renewed when due (the only status the renewal index lists)
    PAUSED = "paused"  # kept as it is, not renewed until resumed
    CANCELLED = "cancelled"  # final: never renewed, never changed again


Status = Literal["active", "paused", "cancelled"]
Frequency = Literal["weekly", "every_2_weeks", "monthly", "every_2_months", "quarterly"]
FREQUENCIES = get_args(Frequency)
# frequency -> (calendar months, days) between two renewals
_STEPS = {"weekly": (0, 7), "every_2_weeks": (0, 14), "monthly": (1, 0), "every_2_months": (2, 0), "quarterly": (3, 0)}
# A subscription several periods late (the job did not run) gets each missed period renewed, at most
# this many per run; the rest on the next run.
MAX_PERIODS_PER_RUN = 12
RENEWAL_ACTOR = "system:subscriptions"


@dataclass
class SubscriptionLine:
    sku: str
    quantity: int


@dataclass
class Subscription:
    id: str
    customer_id: str
    products: list[SubscriptionLine]  # what each renewal orders: sku and quantity
    frequency: str
    next_renewal_at: str  # ISO, midnight UTC of the day of the next renewal
    status: str
    payment_method: str
    delivery_method: str
    created_at: str
    updated_at: str
    billing_address: dict | None = None
    shipping_address: dict | None = None
    attribution: dict[str, Any] = field(default_factory=dict)
    first_order_id: str | None = None  # the checkout's order
    last_order_id: str | None = None  # the latest renewal's order
    renewals: int = 0
    version: int | None = field(default=None, metadata=PRIVATE)

    @property
    def anchor_day(self) -> int:
        """The day of the month monthly periods aim for (a Jan 31 subscription: Feb 28, then Mar 31)."""
        return _parse(self.created_at).day


# Dates

def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def day_start(moment: datetime | date) -> str:
    """Midnight UTC of the (UTC) day of `moment`, as ISO."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return iso(datetime.combine(day, time(), tzinfo=UTC))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def next_date(value: str, frequency: str, anchor_day: int | None = None) -> str:
    """The renewal after the one at `value`. Weeks are days; months are calendar months with the day
    clamped to the month's end (Jan 31 + monthly = Feb 28/29). A date clamped to a month's end goes
    back to `anchor_day` when the next month has it (Feb 28 + monthly, anchor 31 = Mar 31)."""
    if frequency not in _STEPS:
        raise ValueError(f"unknown frequency {frequency!r}")
    moment = _parse(value)
    months, days = _STEPS[frequency]
    if days:
        return iso(moment + timedelta(days=days))
    day = moment.day
    if anchor_day and anchor_day > day == _last_day(moment.year, moment.month):
        day = anchor_day
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    return iso(moment.replace(year=year, month=month, day=min(day, _last_day(year, month))))


def following_renewal(subscription: Subscription) -> str:
    """When the subscription renews after its current period."""
    return next_date(subscription.next_renewal_at, subscription.frequency, subscription.anchor_day)


def is_due(subscription: Subscription, now: datetime) -> bool:
    return subscription.status == SubscriptionStatus.ACTIVE and subscription.next_renewal_at <= iso(now)


# Ids

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(number: int, length: int) -> str:
    return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(length)))


def renewal_order_id(subscription_id: str, period_iso: str) -> str:
    """The id of the order renewing `subscription_id` for the period starting `period_iso`: a ULID
    (time part: the period; random part: sha256 of subscription and period), the same every time it
    is computed. The order is written under the condition "not there yet": one order per period."""
    milliseconds = int(_parse(period_iso).timestamp() * 1000)
    digest = hashlib.sha256(f"{subscription_id}#{period_iso}".encode()).digest()
    return _base32(milliseconds, 10) + _base32(int.from_bytes(digest[:10], "big"), 16)


# Creating

def _line(line: Any) -> SubscriptionLine:
    sku, quantity = (line["sku"], line["quantity"]) if isinstance(line, dict) else (line.sku, line.quantity)
    return SubscriptionLine(sku=str(sku), quantity=int(quantity))


def _invalid(name: str, message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": name, "message": message}])


def new_subscription(customer_id: str, lines: list, frequency: str, first_order_id: str | None, payment_method: str,
                     delivery_method: str, billing: dict | None, shipping: dict | None, attribution: dict | None,
                     now: datetime) -> Subscription:
    """An active subscription whose first renewal is one period after `now`'s day. `lines` are
    {sku, quantity} dicts or objects with those attributes (cart lines)."""
    wanted = [_line(line) for line in lines]
    if not wanted or len(wanted) > MAX_LINES or any(line.quantity < 1 for line in wanted):
        raise _invalid("lines", f"A subscription has 1 to {MAX_LINES} lines, each of quantity 1 or more.")
    if frequency not in FREQUENCIES:
        raise _invalid("frequency", f"The frequency is one of {', '.join(FREQUENCIES)}.")
    if payment_method not in PAYMENT_METHODS:
        raise _invalid("payment_method", f"The payment method is one of {', '.join(PAYMENT_METHODS)}.")
    created = iso(now)
    return Subscription(
        id=new_id(), customer_id=customer_id, products=wanted, frequency=frequency,
        next_renewal_at=next_date(day_start(now), frequency, _parse(created).day), status=SubscriptionStatus.ACTIVE,
        payment_method=payment_method, delivery_method=delivery_method, billing_address=billing,
        shipping_address=shipping, attribution=dict(attribution or {}), first_order_id=first_order_id,
        created_at=created, updated_at=created)


@dataclass
class SubscriptionStarted:
    """Written with the first order (a recurring cart's checkout): the new subscription, and its
    `subscription_created` event on the customer's timeline."""

    subscription: Subscription
    actor: str = "system:checkout"


@dataclass
class SubscriptionRenewed:
    """Written with a renewal order: the subscription moved to its next period (`next_renewal_at`),
    conditioned on the version read and on being active. Of two runs that read the same period only
    one can advance it, so only one places its order."""

    subscription: Subscription
    order_id: str
    next_renewal_at: str
    at: str


# Changing

class SubscriptionChanges(Changes):
    """What staff change: only the fields sent (at least one). `next_renewal_at` is a day (YYYY-MM-DD)
    after today; a cancelled subscription cannot be changed at all (409)."""

    status: Status | None = None
    frequency: Frequency | None = None
    next_renewal_at: date | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.status is None and self.frequency is None and self.next_renewal_at is None:
            raise ValueError("give at least one of status, frequency, next_renewal_at")
        return self


def can_change(subscription: Subscription) -> bool:
    return subscription.status != SubscriptionStatus.CANCELLED


def _roll_forward(subscription: Subscription, now: datetime) -> str:
    """The first renewal of its schedule after now (periods while paused are skipped, not ordered)."""
    renewal = subscription.next_renewal_at
    while renewal <= iso(now):
        renewal = next_date(renewal, subscription.frequency, subscription.anchor_day)
    return renewal


def changed(subscription: Subscription, changes: SubscriptionChanges, now: datetime) -> Subscription:
    """The subscription after staff's changes. Resuming a subscription whose renewal date passed while
    paused moves it to the next date of its schedule (unless a new date is given)."""
    if not can_change(subscription):
        raise Conflict("The subscription is cancelled: it cannot be changed (start a new one).")
    updates: dict[str, Any] = {}
    if changes.frequency is not None:
        updates["frequency"] = changes.frequency
    if changes.next_renewal_at is not None:
        if changes.next_renewal_at <= now.astimezone(UTC).date():
            raise _invalid("next_renewal_at", "The next renewal is a day after today.")
        updates["next_renewal_at"] = day_start(changes.next_renewal_at)
    if changes.status is not None:
        updates["status"] = changes.status
    after = dataclasses.replace(subscription, **updates)
    if (after.status == SubscriptionStatus.ACTIVE and subscription.status != SubscriptionStatus.ACTIVE
            and "next_renewal_at" not in updates):
        after = dataclasses.replace(after, next_renewal_at=_roll_forward(after, now))
    if after == subscription:
        return subscription
    return dataclasses.replace(after, updated_at=iso(now))


def paused(subscription: Subscription, now: datetime) -> Subscription:
    return dataclasses.replace(subscription, status=SubscriptionStatus.PAUSED, updated_at=iso(now))


def cancelled(subscription: Subscription, now: datetime) -> Subscription:
    return dataclasses.replace(subscription, status=SubscriptionStatus.CANCELLED, updated_at=iso(now))


# Timeline events (on the customer's timeline)

_STATUS_EVENT = {SubscriptionStatus.ACTIVE: "subscription_resumed", SubscriptionStatus.PAUSED: "subscription_paused",
                 SubscriptionStatus.CANCELLED: "subscription_cancelled"}


def created_event(actor: str, subscription: Subscription) -> TimelineEvent:
    return new_event("subscription_created", actor, {"subscription_id": subscription.id, "frequency": subscription.frequency,
                                              "first_order_id": subscription.first_order_id,
                                              "next_renewal_at": subscription.next_renewal_at}, at=subscription.created_at)


def change_events(actor: str, before: Subscription, after: Subscription, reason: str | None = None) -> list[TimelineEvent]:
    """`subscription_paused/resumed/cancelled` for a status change, `subscription_updated` for the rest."""
    data: dict[str, Any] = {"subscription_id": after.id, **({"reason": reason} if reason else {})}
    events = []
    if before.status != after.status:
        events.append(new_event(_STATUS_EVENT[after.status], actor, dict(data), at=after.updated_at))
    changes = {name: {"before": getattr(before, name), "after": getattr(after, name)}
               for name in ("frequency", "next_renewal_at") if getattr(before, name) != getattr(after, name)}
    if changes:
        events.append(new_event("subscription_updated", actor, {**data, "changes": changes}, at=after.updated_at))
    return events
