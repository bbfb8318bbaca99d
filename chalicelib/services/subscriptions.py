"""Subscriptions: built at checkout (written by the checkout's transaction), read and changed by
staff, renewed by the daily job.

A renewal is ONE transaction: the period's order (its id derived from subscription and period, under
the condition "not there yet") with everything placing it changes, and the subscription moved to its
next period under the version read. Two runs, a run that overlaps itself or one retried after a
crash therefore place exactly one order per period: the loser's transaction is cancelled whole."""
from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.domain import clock
from chalicelib.domain import subscriptions as domain
from chalicelib.domain.clock import iso
from chalicelib.domain.customers import Customer, CustomerStatus
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, OutOfStock
from chalicelib.domain.orders import Order, OrderLine
from chalicelib.domain.pages import Page
from chalicelib.domain.subscriptions import Subscription, SubscriptionChanges, SubscriptionRenewed
from chalicelib.logs import logger
from chalicelib.services import configuration, customers, orders
from chalicelib.store import subscriptions as repo

if TYPE_CHECKING:
    from chalicelib.domain.store_settings import StoreSettings

_DUE_PAGE = 100
_RETRIES = 1  # a period whose placement failed without anyone advancing it (a transaction conflict, the
# customer changed meanwhile) is tried once more in the same run


def create_for_checkout(customer_id: str | None, lines: list, frequency: str, first_order_id: str | None,
                        payment_method: str, delivery_method: str, billing_address: dict | None = None,
                        shipping_address: dict | None = None, attribution: dict | None = None) -> Subscription:
    """The subscription a recurring cart's checkout starts (nothing is written: the checkout writes it
    with its first order, as a `SubscriptionStarted`).
    `lines`: [{sku, quantity}] or cart lines; its first renewal is one period after today."""
    if not customer_id:
        raise InvalidInput("A subscription needs a customer account: sign in to check out a recurring cart.",
                           [{"field": "customer_id", "message": "required for a recurring cart"}])
    return domain.new_subscription(customer_id, lines, frequency, first_order_id, payment_method, delivery_method,
                                   billing_address, shipping_address, attribution, clock.now())


def get_subscription(subscription_id: str) -> Subscription:
    subscription = repo.get(subscription_id)
    if subscription is None:
        raise NotFound("No subscription with this id.")
    return subscription


def customer_subscriptions(customer_id: str, limit: int, next_token: str | None) -> Page[Subscription]:
    """The customer's Subscriptions tab, newest first (404 for an unknown customer)."""
    customers.get_customer(customer_id)
    return repo.customer_page(customer_id, limit, next_token)


def change_subscription(subscription_id: str, changes: SubscriptionChanges, actor: str) -> Subscription:
    """Pause, resume, cancel (final), change the frequency or the next renewal's day."""
    before = get_subscription(subscription_id)
    after = domain.changed(before, changes, clock.now())
    if after is before:
        return before
    return repo.update(before, after, domain.change_events(actor, before, after))


# Renewals (the daily schedule)

def renew_due_subscriptions() -> int:
    """Renew every active subscription due by now; returns the number of orders placed. A subscription
    several periods late gets each missed period renewed in turn (at most MAX_PERIODS_PER_RUN per run)."""
    now = clock.now()
    placed, last = 0, None
    while True:
        page = repo.due(iso(now), _DUE_PAGE, after=last)
        for listed in page:
            placed += renew_subscription(listed.id, now)
        if len(page) < _DUE_PAGE:
            return placed
        last = page[-1]


def renew_subscription(subscription_id: str, now: datetime) -> int:
    """Renew one subscription's periods due by `now`, each re-read first (the index lags; another run
    may have done it). Returns the number of orders placed."""
    placed, tried, retried = 0, None, 0
    for _ in range(domain.MAX_PERIODS_PER_RUN + _RETRIES):
        subscription = repo.get(subscription_id)
        if subscription is None or not domain.is_due(subscription, now) or placed == domain.MAX_PERIODS_PER_RUN:
            break  # renewed up to now, paused, cancelled, or enough for this run
        if subscription.version == tried:  # the last try placed nothing and nobody moved it
            retried += 1
            if retried > _RETRIES:
                break  # the next run tries again
        tried = subscription.version
        if renew_period(subscription, now) is not None:
            placed += 1
    return placed


def renew_period(subscription: Subscription, now: datetime | None = None) -> Order | None:
    """Place the renewal order of the subscription's current period, as read, and move it to the next
    period, in one transaction. None when nothing was placed: the period's order exists already or the
    subscription moved meanwhile (another run did it, staff changed it), the period waits for stock
    (tried again at the next run), or the subscription was stopped (every product no longer sold, the
    delivery method no longer offered, customer not active: paused; customer deleted: cancelled)."""
    now = now or clock.now()
    try:
        customer = customers.get_customer(subscription.customer_id)
    except NotFound:
        _stop(subscription, domain.cancelled(subscription, now), "customer_deleted", events=False)
        return None
    if customer.status != CustomerStatus.ACTIVE:
        _stop(subscription, domain.paused(subscription, now), "customer_not_active")
        return None
    settings = configuration.store_settings()
    if not any(m.active and m.code == subscription.delivery_method for m in settings.delivery_methods):
        _stop(subscription, domain.paused(subscription, now), "delivery_method_unavailable")
        return None
    try:
        lines = _sold_lines(subscription)
    except OutOfStock as short:
        _not_placed(subscription, short.message)
        return None
    if not lines:
        _stop(subscription, domain.paused(subscription, now), "products_unavailable")
        return None
    return _place(subscription, customer, lines, now, settings)


def _not_placed(subscription: Subscription, reason: str) -> None:
    logger.info("subscription renewal not placed", extra={"subscription_id": subscription.id,
                                                           "period": subscription.next_renewal_at, "reason": reason})


def _place(subscription: Subscription, customer: Customer, lines: list[OrderLine], now: datetime,
           settings: StoreSettings) -> Order | None:
    period = subscription.next_renewal_at
    order_id = domain.renewal_order_id(subscription.id, period)
    following = domain.following_renewal(subscription)
    new = orders.NewOrder(
        lines=lines, payment_method=subscription.payment_method, delivery_method=subscription.delivery_method,
        customer=customer, billing_address=subscription.billing_address, shipping_address=subscription.shipping_address,
        attribution={**subscription.attribution, "subscription_id": subscription.id}, order_id=order_id)
    try:
        order = orders.place_order(new, domain.RENEWAL_ACTOR,
                                   also=[SubscriptionRenewed(subscription, order_id, following, iso(now))], settings=settings)
    except Conflict as conflict:  # OrderExists included: someone else renewed this period or moved the subscription;
        _not_placed(subscription, conflict.message)  # OutOfStock too: the period waits for the next run
        return None
    logger.info("subscription renewed", extra={"subscription_id": subscription.id, "period": period, "order_id": order.id})
    return order


def _sold_lines(subscription: Subscription) -> list[OrderLine]:
    """The subscription's lines priced from the catalogue now, without the products no longer sold."""
    try:
        return orders.catalogue_lines(subscription.products, staff_prices=False)
    except InvalidInput:
        pass
    kept = []
    for line in subscription.products:  # only when something is missing: find out which
        try:
            kept += orders.catalogue_lines([line], staff_prices=False)
        except InvalidInput:
            logger.info("subscription line skipped: product not sold", extra={"subscription_id": subscription.id,
                                                                               "sku": line.sku})
    return kept


def _stop(before: Subscription, after: Subscription, reason: str, events: bool = True) -> None:
    logger.info("subscription stopped", extra={"subscription_id": before.id, "status": after.status, "reason": reason})
    with contextlib.suppress(Conflict):  # changed meanwhile: the next run looks again
        repo.update(before, after, domain.change_events(domain.RENEWAL_ACTOR, before, after, reason) if events else [])
