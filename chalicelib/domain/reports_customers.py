"""The customers report: new and returning customers per period, top customers, by country.

A customer is new in the period (day, ISO week or month) of the first day they ever ordered, and
returning in every later period in which they order. A guest order is a customer of its own (its guest
entry), so always new. An order's net sales here are its merchandise value (gross - discounts), 0 once
refunded, on its placed day (the sales report instead counts the refund on the refund day).

Distinct customers do not add up across days, so the figures are kept per period of each kind: each
customer (and guest entry) has an ACTIVITY, {day: (orders, net_sales)} over its counted orders, and
contributes to each period it ordered in, as new or returning. An order change moves the activity, and
the period items by contribution(activity after) - contribution(activity before). This does not
depend on the order in which orders arrive: a history imported out of date order, or a first order
cancelled later, gives the same items as placing them in order.

Top customers and the by-country breakdown read items per (day, customer, country): {orders,
net_sales}. A customer who ordered to two countries counts as a customer in each.

A report by week or month covers whole periods: its range is widened to the periods it touches (the
answer's `from` and `to` say so), because a period's distinct customers cannot be cut at a day. Its
totals: `customers` (distinct, from the customer items), `new_customers` (those whose first order is
in the range), `returning_customers` = customers - new_customers (distinct, so not the sum of the
rows'), and the orders and net sales summed.
"""
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from chalicelib.domain.reports import (
    GROUPINGS,
    NONE_VALUE,
    Deltas,
    Figures,
    OrderFacts,
    add_into,
    counts,
    deltas_of,
    difference,
    is_refunded,
    period_start,
    periods,
    whole_periods,
)

if TYPE_CHECKING:  # the stream handler computes deltas without loading pydantic
    from chalicelib.domain.reports_queries import CustomersQuery

Activity = dict[str, tuple[int, int]]  # ISO day -> (orders, net_sales)
ROW_FIGURES = ("new_customers", "returning_customers", "new_customer_orders", "returning_customer_orders",
               "new_customer_net_sales", "returning_customer_net_sales")
TOP_CUSTOMERS = 10


def _net(facts: OrderFacts) -> int:
    return 0 if is_refunded(facts) else facts.merchandise


def customers_touched(before: OrderFacts | None, after: OrderFacts | None) -> list[str]:
    """The customers whose activity an order change may move (two when the order changes hands)."""
    return sorted({facts.customer_key for facts in (before, after) if counts(facts)})


def activity_after(activity_before: Mapping[str, Sequence[int]], facts_before: OrderFacts | None,
                   facts_after: OrderFacts | None, customer_key: str | None = None) -> Activity:
    """A customer's activity after an order change. `customer_key` names the customer (by default the
    order's): an image of the order under another customer does not touch this one."""
    key = customer_key or (facts_after or facts_before).customer_key  # type: ignore[union-attr]
    days = {day: (int(orders), int(net)) for day, (orders, net) in activity_before.items()}
    for sign, facts in ((-1, facts_before), (1, facts_after)):
        if counts(facts) and facts.customer_key == key:
            orders, net = days.get(facts.placed_day, (0, 0))
            days[facts.placed_day] = (orders + sign, net + sign * _net(facts))
    return {day: figures for day, figures in sorted(days.items()) if figures != (0, 0)}


def _period_contribution(activity: Mapping[str, Sequence[int]]) -> Deltas:
    ordered = sorted(day for day, (orders, _) in activity.items() if orders > 0)
    items: Deltas = {}
    if not ordered:
        return items
    first = date.fromisoformat(ordered[0])
    for kind in GROUPINGS:
        first_period = period_start(first, kind)
        seen: set[date] = set()
        for day in ordered:
            start = period_start(date.fromisoformat(day), kind)
            orders, net = activity[day]
            who = "new" if start == first_period else "returning"
            figures = {f"{who}_customer_orders": orders, f"{who}_customer_net_sales": net}
            if start not in seen:
                seen.add(start)
                figures[f"{who}_customers"] = 1
            add_into(items, (kind, start.isoformat()), figures)
    return items


def customer_period_deltas(activity_before: Mapping[str, Sequence[int]],
                           activity_after: Mapping[str, Sequence[int]]) -> Deltas:
    """{(kind, period): {figure: delta}}: what one customer's activity change moves in the period items."""
    return difference(_period_contribution(activity_before), _period_contribution(activity_after))


def _customer_day(facts: OrderFacts | None) -> Deltas:
    items: Deltas = {}
    if counts(facts):
        add_into(items, (facts.placed_day, facts.customer_key, facts.country or NONE_VALUE),
                 {"orders": 1, "net_sales": _net(facts)})
    return items


def customer_day_deltas(before: OrderFacts | None, after: OrderFacts | None) -> Deltas:
    """{(day, customer, country): {figure: delta}} of an order change."""
    return deltas_of(_customer_day, before, after)


def customers_range(query: "CustomersQuery") -> tuple[date, date]:
    """The days the report covers (and reads): the query's range widened to whole periods."""
    return whole_periods(query.from_, query.to, query.group_by)


def _top_and_countries(items: Iterable[tuple[str, str, str, Mapping[str, int]]], start: date, end: date,
                       top: int) -> tuple[list[dict], list[dict], int]:
    per_customer: dict[str, Figures] = {}
    per_country: dict[str, Figures] = {}
    buyers: dict[str, set[str]] = {}
    for day, customer, country, figures in items:
        if start <= date.fromisoformat(day) <= end:
            add_into(per_customer, customer, figures)
            add_into(per_country, country, figures)
            if figures.get("orders", 0) > 0:
                buyers.setdefault(country, set()).add(customer)
    ranked = sorted(((key, figures) for key, figures in per_customer.items() if figures.get("orders", 0) > 0),
                    key=lambda pair: (-pair[1].get("net_sales", 0), -pair[1]["orders"], pair[0]))
    top_customers = [{"customer_id": key, "orders": figures["orders"], "net_sales": figures.get("net_sales", 0)}
                     for key, figures in ranked[:top]]
    by_country: list[dict] = [{"country": country, "customers": len(buyers[country]), "orders": figures.get("orders", 0),
                               "net_sales": figures.get("net_sales", 0)}
                              for country, figures in per_country.items() if country in buyers]
    by_country.sort(key=lambda row: (-row["net_sales"], row["country"]))
    return top_customers, by_country, len(ranked)


def customers_report(query: "CustomersQuery", period_items: Iterable[tuple[str, Mapping[str, int]]],
                     customer_items: Iterable[tuple[str, str, str, Mapping[str, int]]], generated_at: str,
                     top: int = TOP_CUSTOMERS) -> dict:
    """The answer from the period items of the query's kind, as (period, figures), and the customer
    items of the days in `customers_range`, as (day, customer, country, figures). Top customers give
    `customer_id` (the customer key), orders and net sales; the service adds email and name."""
    start, end = customers_range(query)
    sums: dict[str, Figures] = {}
    for period, figures in period_items:
        add_into(sums, period, figures)
    rows: list[dict] = []
    for first_day in periods(start, end, query.group_by):
        figures = sums.get(first_day.isoformat(), {})
        rows.append({"period": first_day.isoformat(), **{name: figures.get(name, 0) for name in ROW_FIGURES}})
    top_customers, by_country, customers = _top_and_countries(customer_items, start, end, top)
    totals = {name: sum(row[name] for row in rows) for name in ROW_FIGURES}
    totals["customers"] = customers
    totals["returning_customers"] = customers - totals["new_customers"]
    return {"report": "customers", "from": start.isoformat(), "to": end.isoformat(), "group_by": query.group_by,
            "rows": rows, "totals": totals, "top_customers": top_customers, "by_country": by_country,
            "generated_at": generated_at}
