"""The report items: the only code that knows their keys (docs/architecture.md, "Reports").

Families and keys (day items are partitioned by month, so a 90-day range is at most 4 Queries):
- sales `RSALES#<yyyy-mm>#<dimension>` / `<value>#<day>`: one item per day per dimension value (a
  dimension is `all` or a set of filters, domain/reports_sales.py), so a report reads exactly one item
  per day for the filters it asks; an order's 16 items of a day go to 16 partitions;
- products `RPROD#<yyyy-mm>` / `<day>#<sku>`; payments `RPAY#<yyyy-mm>` / `<day>#<method>#<status>`;
- customer periods `RCUSTP#day#<yyyy-mm>` or `RCUSTP#<week|month>#<yyyy>` / `<period's first day>`;
- customer days `RCUSTD#<yyyy-mm>` / `<day>#<customer key>#<country>`;
- a customer's activity `RACT#<customer key>` / `ACTIVITY` (under its version);
- ordered products `OPRODS#<yyyy-mm>` / `<day>#<sku>` (UTC day of the order's creation): quantity and
  revenue after line discounts, and the ids of the orders among the sku's sales that day;
- guards `AGGDONE#<order change>#days[#<part>]` (the day families and the ordered products, together)
  and `AGGDONE#<order change>#customers` / `AGGDONE` (TTL): written in the transaction that applies the
  change's deltas, conditioned on not existing, so a change counts once however often
  the stream delivers it.
"""
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from chalicelib.domain.errors import Conflict
from chalicelib.domain.order_sales import OrderSales, SalesChange, SkuSales
from chalicelib.domain.reports import DAY, Deltas, Figures, Key
from chalicelib.store.models import (
    ALL_OLD,
    AggregateGuardItem,
    CustomerActivityItem,
    CustomerDayItem,
    CustomerPeriodItem,
    PaymentDayItem,
    ProductDayItem,
    ProductSalesItem,
    SalesDayItem,
    TableItem,
    failed_conditions,
    transact_write,
)

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit per transaction
_GUARD_TYPE = "aggregate_done"
_ACTIVITY_TYPE = "report_activity"


def _sales_key(key: Key) -> tuple[str, str]:
    day, dimension, value = key
    return f"RSALES#{day[:7]}#{dimension}", f"{value}#{day}"


def _product_key(key: Key) -> tuple[str, str]:
    day, sku = key
    return f"RPROD#{day[:7]}", f"{day}#{sku}"


def _payment_key(key: Key) -> tuple[str, str]:
    day, method, status = key
    return f"RPAY#{day[:7]}", f"{day}#{method}#{status}"


def _period_partition(kind: str, period: str) -> str:
    return f"RCUSTP#{kind}#{period[:7] if kind == DAY else period[:4]}"


def _customer_period_key(key: Key) -> tuple[str, str]:
    kind, period = key
    return _period_partition(kind, period), period


def _customer_day_key(key: Key) -> tuple[str, str]:
    day, customer, country = key
    return f"RCUSTD#{day[:7]}", f"{day}#{customer}#{country}"


FAMILIES = {
    "sales": (SalesDayItem, _sales_key),
    "products": (ProductDayItem, _product_key),
    "payments": (PaymentDayItem, _payment_key),
    "customer_periods": (CustomerPeriodItem, _customer_period_key),
    "customer_days": (CustomerDayItem, _customer_day_key),
}


class AggregatesBusy(Conflict):
    """A transaction lost to a concurrent one on the same items (hot day items), or was throttled: retry."""


class ActivityChanged(Conflict):
    """A customer's activity changed since it was read: read it again."""


def _guard(guard_id: str, expires_at: int) -> AggregateGuardItem:
    return AggregateGuardItem(PK=f"AGGDONE#{guard_id}", SK="AGGDONE", expires_at=expires_at)


Update = tuple[TableItem, list[Action]]  # one item's change in a transaction


def _adds(family: str, deltas: Iterable[tuple[Key, Figures]]) -> list[Update]:
    model, key_of = FAMILIES[family]
    return [(model(*key_of(key)), [model.item_type.set(model),
                                   *(getattr(model, name).add(value) for name, value in sorted(figures.items()))])
            for key, figures in deltas]


def _stage_adds(tx, family: str, deltas: Iterable[tuple[Key, Figures]]) -> None:
    for item, actions in _adds(family, deltas):
        tx.update(item, actions=actions)


def _sales_adds(order_id: str, day: str, changes: Sequence[SalesChange]) -> list[Update]:
    """An order's sales per sku on its day: quantity and revenue by the difference, the order's id in or
    out of the sku's orders of the day."""
    updates: list[Update] = []
    for change in changes:
        actions: list[Action] = [ProductSalesItem.quantity.add(change.quantity), ProductSalesItem.revenue.add(change.revenue),
                                 ProductSalesItem.sku.set(change.sku), ProductSalesItem.day.set(day),
                                 ProductSalesItem.name.set(change.name), ProductSalesItem.item_type.set(ProductSalesItem)]
        if change.listed is True:
            actions.append(ProductSalesItem.order_ids.add({order_id}))
        elif change.listed is False:
            actions.append(ProductSalesItem.order_ids.delete({order_id}))
        updates.append((ProductSalesItem(PK=f"OPRODS#{day[:7]}", SK=f"{day}#{change.sku}"), actions))
    return updates


def _raise_unless_done(error: TransactWriteError) -> None:
    """A transaction cancelled because its guard exists was applied before: nothing to do. Otherwise an
    activity changed since it was read (ActivityChanged) or the items were busy (AggregatesBusy)."""
    failed = failed_conditions(error)
    if _GUARD_TYPE in failed:
        return
    if _ACTIVITY_TYPE in failed:
        raise ActivityChanged("A customer's activity changed meanwhile.")
    raise AggregatesBusy("The report items are busy; try again.") from error


def add_once(guard_id: str, deltas: dict[str, Deltas], expires_at: int, sales: OrderSales | None = None) -> int:
    """ADD each family's deltas (and an order's `sales`) to their items, once per `guard_id`, in ONE
    transaction when they fit (an order's: ~22 items): returns how many transactions applied something
    now (0: all done before, or nothing to add). More than a transaction holds is cut into parts in a fixed order, each
    with its own guard `<guard_id>#days#<part>`."""
    updates = [update for family, family_deltas in deltas.items() for update in _adds(family, sorted(family_deltas.items()))]
    if sales is not None:
        updates += _sales_adds(sales.order_id, sales.day, sales.changes)
    size = MAX_TRANSACTION_ITEMS - 1  # one item is the guard
    parts = [updates[start:start + size] for start in range(0, len(updates), size)]
    applied = 0
    for number, part in enumerate(parts):
        guard = f"{guard_id}#days" + (f"#{number}" if len(parts) > 1 else "")
        try:
            with transact_write() as tx:
                tx.save(_guard(guard, expires_at), condition=AggregateGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
                for item, actions in part:
                    tx.update(item, actions=actions)
            applied += 1
        except TransactWriteError as error:
            _raise_unless_done(error)  # returns: an earlier delivery applied this part
    return applied


# Customers: an activity per customer key, written under its version with the deltas it implies.

@dataclass
class Activity:
    customer_key: str
    days: dict[str, tuple[int, int]]  # ISO day -> (orders, net_sales)
    version: int | None  # None: not stored yet


def activity(customer_key: str) -> Activity:
    try:
        item = CustomerActivityItem.get(f"RACT#{customer_key}", "ACTIVITY", consistent_read=True)
    except CustomerActivityItem.DoesNotExist:
        return Activity(customer_key, {}, None)
    return Activity(customer_key, {day: (int(o), int(n)) for day, (o, n) in (item.days or {}).items()}, item.version)


def write_customers(guard_id: str, activities: list[Activity], periods: Deltas, days: Deltas, expires_at: int) -> bool:
    """The activities (each conditioned on the version read), the period and day deltas and the guard,
    in ONE transaction. False if the guard exists (done before); ActivityChanged if an activity moved."""
    if len(activities) + len(periods) + len(days) + 1 > MAX_TRANSACTION_ITEMS:
        raise ValueError("a customer change never touches this many items")  # 2 customers x 3 kinds x few periods
    try:
        with transact_write() as tx:
            tx.save(_guard(f"{guard_id}#customers", expires_at), condition=AggregateGuardItem.PK.does_not_exist(),
                    return_values=ALL_OLD)
            for act in activities:
                item = CustomerActivityItem(PK=f"RACT#{act.customer_key}", SK="ACTIVITY",
                                            days={day: list(figures) for day, figures in act.days.items()})
                if act.version is not None:
                    item.version = act.version  # PynamoDB conditions the save on it (else: not there yet) and bumps it
                tx.save(item, return_values=ALL_OLD)
            _stage_adds(tx, "customer_periods", sorted(periods.items()))
            _stage_adds(tx, "customer_days", sorted(days.items()))
    except TransactWriteError as error:
        _raise_unless_done(error)
        return False
    return True


# Reading: Queries on the month (or year) partitions of a range, nothing else.

def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _figures(item, names: Iterable[str]) -> Figures:
    return {name: int(getattr(item, name) or 0) for name in names}  # an item made by ADDs lacks the others


_SALES = ("orders", "units_sold", "gross_sales", "discounts", "returns", "shipping", "cancelled_orders")
_PRODUCTS = ("units_sold", "gross_sales", "orders")
_PAYMENTS = ("orders", "amount", "refunds")
_PERIODS = ("new_customers", "returning_customers", "new_customer_orders", "returning_customer_orders",
            "new_customer_net_sales", "returning_customer_net_sales")
_CUSTOMER_DAYS = ("orders", "net_sales")


def sales_items(dimension: str, value: str, start: date, end: date) -> Iterator[tuple[str, str, str, Figures]]:
    """(day, dimension, value, figures) of the days in [start, end]: at most one item per day, one
    Query per month."""
    for month in _months(start, end):
        condition = SalesDayItem.SK.between(f"{value}#{start}", f"{value}#{end}")
        for item in SalesDayItem.query(f"RSALES#{month}#{dimension}", condition):
            yield item.SK[-10:], dimension, item.SK[:-11], _figures(item, _SALES)


def product_items(start: date, end: date) -> Iterator[tuple[str, str, Figures]]:
    """(day, sku, figures) of the days in [start, end]."""
    for month in _months(start, end):
        for item in ProductDayItem.query(f"RPROD#{month}", ProductDayItem.SK.between(f"{start}", f"{end}$")):
            yield item.SK[:10], item.SK[11:], _figures(item, _PRODUCTS)


def payment_items(start: date, end: date) -> Iterator[tuple[str, str, str, Figures]]:
    """(day, payment method, payment status, figures) of the days in [start, end]."""
    for month in _months(start, end):
        for item in PaymentDayItem.query(f"RPAY#{month}", PaymentDayItem.SK.between(f"{start}", f"{end}$")):
            day, method, status = item.SK.split("#", 2)
            yield day, method, status, _figures(item, _PAYMENTS)


def customer_period_items(kind: str, start: date, end: date) -> Iterator[tuple[str, Figures]]:
    """(period's first day, figures) of the periods of `kind` that start in [start, end]."""
    partitions = ([_period_partition(kind, month) for month in _months(start, end)] if kind == DAY
                  else [_period_partition(kind, str(year)) for year in range(start.year, end.year + 1)])
    for partition in partitions:
        for item in CustomerPeriodItem.query(partition, CustomerPeriodItem.SK.between(f"{start}", f"{end}")):
            yield item.SK, _figures(item, _PERIODS)


def customer_day_items(start: date, end: date) -> Iterator[tuple[str, str, str, Figures]]:
    """(day, customer key, country, figures) of the days in [start, end]: one item per customer, day
    and country with orders (bounded by the orders of the range, unlike the other families)."""
    for month in _months(start, end):
        for item in CustomerDayItem.query(f"RCUSTD#{month}", CustomerDayItem.SK.between(f"{start}", f"{end}$")):
            day, customer, country = item.SK.split("#", 2)
            yield day, customer, country, _figures(item, _CUSTOMER_DAYS)


def ordered_sales(start: date, end: date) -> list[SkuSales]:
    """Sales per sku and day in [start, end]: one Query per month (bounded by days x skus sold)."""
    return [SkuSales(item.sku, item.name or "", int(item.quantity), int(item.revenue), set(item.order_ids or ()))
            for month in _months(start, end)
            for item in ProductSalesItem.query(f"OPRODS#{month}", ProductSalesItem.SK.between(f"{start}", f"{end}$"))]


def put_totals(family: str, totals: Deltas) -> None:
    """Whole items with the given figures (BatchWriteItem), replacing what is there: loads report items
    computed elsewhere (bench/reports.py; a rebuild), never for live changes (those are `add_once`)."""
    model, key_of = FAMILIES[family]
    with model.batch_write() as batch:
        for key, figures in totals.items():
            pk, sk = key_of(key)
            item = model(pk, sk)
            for name, value in figures.items():
                setattr(item, name, value)
            batch.save(item)


def put_activities(activities: Iterable[Activity]) -> None:
    """Activity items as given (see `put_totals`)."""
    with CustomerActivityItem.batch_write() as batch:
        for act in activities:
            batch.save(CustomerActivityItem(PK=f"RACT#{act.customer_key}", SK="ACTIVITY", version=1,
                                            days={day: list(figures) for day, figures in act.days.items()}))
