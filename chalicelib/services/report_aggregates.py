"""Keeps the report items (and the ordered products' sales per sku and day) in step with the orders,
from the table's stream.

One stream record of an order = its old and new image. Both become `OrderFacts`; each family's items
move by after - before (an edit moves only its difference; identical facts write nothing): the day
families (sales, products, payments) and the ordered products' sales per sku and day in ONE transaction
(the customers' in another), each with a guard item named after the order's version, so a record
delivered twice counts once. Customers also keep an activity per customer key, read and written under its version."""
import random
import time
from collections.abc import Callable
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.order_sales import OrderSales
from chalicelib.domain.orders import order_sales
from chalicelib.domain.report_facts import order_facts
from chalicelib.domain.reports import Deltas, OrderFacts, add_into
from chalicelib.domain.reports_customers import (
    activity_after,
    customer_day_deltas,
    customer_period_deltas,
    customers_touched,
)
from chalicelib.domain.reports_payments import payment_deltas
from chalicelib.domain.reports_products import product_deltas
from chalicelib.domain.reports_sales import sales_deltas
from chalicelib.store import orders as order_repo
from chalicelib.store import report_aggregates as repo
from chalicelib.store.report_aggregates import ActivityChanged, AggregatesBusy

GUARD_DAYS = 7  # a stream keeps records 24 hours: no redelivery comes later than that
TRIES = 8
DAY_FAMILIES: tuple[tuple[str, Callable[[OrderFacts | None, OrderFacts | None], Deltas]], ...] = (
    ("sales", sales_deltas), ("products", product_deltas), ("payments", payment_deltas))


def follow_order(event_name: str, old_image: dict | None, new_image: dict | None) -> bool:
    """Apply an order record's change to every report family; False if the record is not an order's."""
    before = order_repo.from_image(old_image)
    after = order_repo.from_image(new_image) if event_name != "REMOVE" else None
    if before is None and after is None:
        return False
    # The version names the change: each write of an order bumps it; a removal is the last one.
    if after is not None:
        guard = f"{after.id}#{after.version}"
    else:
        assert before is not None
        guard = f"{before.id}#removed{before.version}"
    apply_change(guard, order_facts(before), order_facts(after), order_sales(before, after))
    return True


def apply_change(guard: str, before: OrderFacts | None, after: OrderFacts | None,
                 sales: OrderSales | None = None) -> None:
    """The day families' deltas (and the order's sales per sku and day) in one guarded transaction; the
    customers' in another (they read the customers' activities first)."""
    expires_at = int((clock.now() + timedelta(days=GUARD_DAYS)).timestamp())
    deltas = {family: deltas_of(before, after) for family, deltas_of in DAY_FAMILIES}
    _retrying(repo.add_once, guard, deltas, expires_at, sales)  # nothing to add: no transaction
    _retrying(_customers, guard, before, after, expires_at)


def _customers(guard: str, before: OrderFacts | None, after: OrderFacts | None, expires_at: int) -> None:
    """The touched customers' activities (read consistently), the period deltas they imply and the day
    deltas, in one transaction; ActivityChanged when an activity moved meanwhile (read again)."""
    touched = customers_touched(before, after)
    if not touched:
        return  # no counted order on either side: no customer figure moves
    activities, periods = [], dict[tuple, dict[str, int]]()
    for key in touched:
        read = repo.activity(key)
        days = activity_after(read.days, before, after, key)
        for period, figures in customer_period_deltas(read.days, days).items():
            add_into(periods, period, figures)
        if days != read.days:
            activities.append(repo.Activity(key, days, read.version))
    day_deltas = customer_day_deltas(before, after)
    if activities or day_deltas:
        repo.write_customers(guard, activities, periods, day_deltas, expires_at)


def _retrying(step: Callable[..., object], *args) -> None:
    """Run `step` again after a jittered pause while it meets a concurrent change (busy day items, an
    activity changed since read); after TRIES the error goes up and the stream retries the record."""
    for attempt in range(TRIES):
        try:
            step(*args)
            return
        except (AggregatesBusy, ActivityChanged):
            if attempt == TRIES - 1:
                raise
            time.sleep(random.uniform(0, 0.05 * 2 ** attempt))
