"""Subscription repository: the only code that knows the subscriptions' keys, indexes and conditions.

Items (see docs/architecture.md for the whole table):
- subscription `SUB#<id>/SUB`;
- GSI1 `SUBDUE`/`<next_renewal_at>#<id>` ONLY while active (sparse: the renewal job reads exactly what
  it may renew, oldest due first; the keys go when paused or cancelled, come back when resumed);
- GSI2 `CUSTSUBS#<customer_id>`/`<created_at>#<id>`: the customer's Subscriptions tab, newest first.
Changes are saved under the version read; their timeline events go to the customer's timeline in
the same transaction. A renewal's advance is staged into the transaction that places its order.
"""
import dataclasses
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import Conflict
from chalicelib.domain.pages import Page
from chalicelib.domain.subscriptions import Subscription, SubscriptionLine, SubscriptionStatus, created_event
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store import customers as customer_repo
from chalicelib.store.models import ALL_OLD, SubscriptionItem, transact_write
from chalicelib.store.pagination import decode_token, one_request

_SK = "SUB"
_DUE = "SUBDUE"
_SCALARS = ("id", "customer_id", "frequency", "next_renewal_at", "status", "payment_method", "delivery_method",
            "billing_address", "shipping_address", "attribution", "first_order_id", "last_order_id", "renewals",
            "created_at", "updated_at")
_GSI1_KEYS = {"PK", "SK", "GSI1PK", "GSI1SK"}
_GSI2_KEYS = {"PK", "SK", "GSI2PK", "GSI2SK"}


def _pk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def _due_key(next_renewal_at: str, subscription_id: str) -> str:
    return f"{next_renewal_at}#{subscription_id}"


def _index_attributes(subscription: Subscription) -> dict[str, Any]:
    active = subscription.status == SubscriptionStatus.ACTIVE
    return {"GSI1PK": _DUE if active else None,
            "GSI1SK": _due_key(subscription.next_renewal_at, subscription.id) if active else None,
            "GSI2PK": f"CUSTSUBS#{subscription.customer_id}",
            "GSI2SK": f"{subscription.created_at}#{subscription.id}"}


def _item(subscription: Subscription) -> SubscriptionItem:
    item = SubscriptionItem(PK=_pk(subscription.id), SK=_SK, lines=[dataclasses.asdict(line) for line in subscription.products],
                            **_index_attributes(subscription), **{name: getattr(subscription, name) for name in _SCALARS})
    if subscription.version is not None:
        item.version = subscription.version
    return item


def _to_domain(item: SubscriptionItem) -> Subscription:
    fields = {name: getattr(item, name) for name in _SCALARS}
    fields["renewals"] = int(fields["renewals"] or 0)
    fields["attribution"] = fields["attribution"] or {}
    lines = [SubscriptionLine(sku=line["sku"], quantity=int(line["quantity"])) for line in item.lines]
    return Subscription(products=lines, version=item.version, **fields)


def changed_meanwhile() -> Conflict:
    """The subscription moved since it was read (its version condition failed)."""
    return Conflict("The subscription was changed by someone else meanwhile; read it again and retry.")


def stage_create(tx, subscription: Subscription, actor: str = "system:checkout") -> None:
    """A new subscription (condition: not there yet) and its `subscription_created` event on the
    customer's timeline, inside the caller's transaction (the checkout's, with its first order)."""
    item = _item(dataclasses.replace(subscription, version=None))
    tx.save(item, condition=SubscriptionItem.PK.does_not_exist(), return_values=ALL_OLD)
    tx.save(customer_repo.event_item(subscription.customer_id, created_event(actor, subscription)))


def get(subscription_id: str) -> Subscription | None:
    try:
        return _to_domain(SubscriptionItem.get(_pk(subscription_id), _SK, consistent_read=True))
    except SubscriptionItem.DoesNotExist:
        return None


def update(before: Subscription, after: Subscription, events: Iterable[TimelineEvent] = ()) -> Subscription:
    """The changed subscription under the version read (409 if it moved meanwhile), its index keys
    following its status and date, and its events on the customer's timeline: ONE transaction."""
    item = _item(dataclasses.replace(after, version=before.version))
    try:
        with transact_write() as tx:
            tx.save(item, return_values=ALL_OLD)  # PynamoDB conditions it on the version and bumps it
            for event in events:
                tx.save(customer_repo.event_item(after.customer_id, event))
    except TransactWriteError as error:
        raise changed_meanwhile() from error
    return dataclasses.replace(after, version=item.version)


def due(before_iso: str, limit: int, after: Subscription | None = None) -> list[Subscription]:
    """Active subscriptions whose next renewal is at or before `before_iso`, oldest first: ONE Query
    on GSI1. `after`: the last subscription of the previous page (as this returned it), to go on.
    The index lags the table: re-read a subscription before acting on it."""
    start = None
    if after is not None:
        start = {"PK": {"S": _pk(after.id)}, "SK": {"S": _SK}, "GSI1PK": {"S": _DUE},
                 "GSI1SK": {"S": _due_key(after.next_renewal_at, after.id)}}
    # '$' sorts right after '#': every key of a renewal at `before_iso` itself is below it.
    result = SubscriptionItem.gsi1.query(_DUE, f"{before_iso}$" > SubscriptionItem.GSI1SK, limit=limit,
                                         last_evaluated_key=start)
    return [_to_domain(item) for item in result]


def customer_page(customer_id: str, limit: int, next_token: str | None) -> Page[Subscription]:
    """The customer's subscriptions, newest first: one Query on GSI2 per page."""
    start = decode_token(next_token, _GSI2_KEYS)
    result = SubscriptionItem.gsi2.query(f"CUSTSUBS#{customer_id}", scan_index_forward=False, page_size=limit,
                                         last_evaluated_key=start)
    items, token = one_request(SubscriptionItem, result)
    return Page(items=[_to_domain(item) for item in items], next_token=token)


def stage_renewed(tx, subscription: Subscription, order_id: str, next_renewal_at: str, updated_at: str | None = None) -> None:
    """The subscription moved to its next period by the renewal `order_id`, inside the transaction
    that places that order. Conditioned on the version read: of two runs that read the same period,
    only one can advance it (and so place its order); the other's whole transaction is cancelled."""
    key = SubscriptionItem(PK=_pk(subscription.id), SK=_SK)
    key.version = subscription.version  # PynamoDB adds the version condition and increments it
    tx.update(key, actions=[SubscriptionItem.next_renewal_at.set(next_renewal_at),
                            SubscriptionItem.GSI1SK.set(_due_key(next_renewal_at, subscription.id)),
                            SubscriptionItem.last_order_id.set(order_id), SubscriptionItem.renewals.add(1),
                            SubscriptionItem.updated_at.set(updated_at or utc_now())],
              condition=SubscriptionItem.status == SubscriptionStatus.ACTIVE, return_values=ALL_OLD)
