"""The sales report: items per (day, dimension, value) and the report read from them.

Dimensions: `all` (value `all`), and every set of the four filters, `payment_method`,
`delivery_method`, `group`, `country`, alone or combined: a combined dimension is named by its filters
joined with `+` in that order ("payment_method+country") and its value joins theirs with `|`
("card|FR"); a group or country the order lacks is `none`. An order adds to 16 items per day (all, and
the 15 sets), so a report reads exactly one item per day whatever filters it combines, and however many
orders there are.

Figures of an item: orders, units_sold, gross_sales (unit price x quantity), discounts (line and order
discounts), returns, shipping, cancelled_orders. Per row: net_sales = gross - discounts - returns,
total_sales = net + shipping, average_order_value = net_sales / orders (half up; 0 without orders).
A refunded order adds its merchandise value to `returns` and takes its shipping off `shipping` on its
refund day (shipping refunds are negative shipping, as Shopify counts them), so over time a fully
refunded order adds up to zero total sales; it still counts in `orders` on its placed day.
"""
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import TYPE_CHECKING

from chalicelib.domain.reports import (
    NONE_VALUE,
    Deltas,
    Figures,
    OrderFacts,
    add_into,
    counts,
    deltas_of,
    half_up,
    is_called_off,
    is_refunded,
    periods,
    refund_day,
    sum_by_period,
    summed,
)

if TYPE_CHECKING:  # the stream handler computes deltas without loading pydantic
    from chalicelib.domain.reports_queries import SalesQuery

ALL = "all"
FILTERED = ("payment_method", "delivery_method", "group", "country")  # the order of a combined dimension
FILTER_SETS = tuple(names for size in range(1, len(FILTERED) + 1) for names in combinations(FILTERED, size))
ITEM_FIGURES = ("orders", "units_sold", "gross_sales", "discounts", "returns", "shipping", "cancelled_orders")
ROW_FIGURES = ("orders", "units_sold", "gross_sales", "discounts", "returns", "net_sales", "shipping",
               "total_sales", "average_order_value", "cancelled_orders")


def dimension_values(facts: OrderFacts) -> dict[str, str]:
    return {"payment_method": facts.payment_method, "delivery_method": facts.delivery_method,
            "group": facts.group_id or NONE_VALUE, "country": facts.country or NONE_VALUE}


def dimension_of(values: Mapping[str, str]) -> tuple[str, str]:
    """(dimension, value) of a set of filters {name: value}, given in FILTERED order."""
    return "+".join(values), "|".join(values.values())


def _keys(day: str, facts: OrderFacts) -> list[tuple[str, str, str]]:
    values = dimension_values(facts)
    return [(day, ALL, ALL), *((day, *dimension_of({name: values[name] for name in names})) for names in FILTER_SETS)]


def _contribution(facts: OrderFacts | None) -> Deltas:
    items: Deltas = {}
    if is_called_off(facts):
        for key in _keys(facts.placed_day, facts):
            add_into(items, key, {"cancelled_orders": 1})
    elif counts(facts):
        placed = {"orders": 1, "units_sold": sum(line.quantity for line in facts.lines),
                  "gross_sales": facts.gross, "discounts": facts.discounts, "shipping": facts.shipping}
        for key in _keys(facts.placed_day, facts):
            add_into(items, key, placed)
        if is_refunded(facts):
            for key in _keys(refund_day(facts), facts):
                add_into(items, key, {"returns": facts.merchandise, "shipping": -facts.shipping})
    return items


def sales_deltas(before: OrderFacts | None, after: OrderFacts | None) -> Deltas:
    """{(day, dimension, value): {figure: delta}} of an order change."""
    return deltas_of(_contribution, before, after)


def _filters(query: "SalesQuery") -> dict[str, str]:
    return {name: getattr(query, name) for name in FILTERED if getattr(query, name) is not None}


def sales_source(query: "SalesQuery") -> tuple[str, str]:
    """The one item of each day the report reads: (dimension, value) of its filters, or (all, all)."""
    filters = _filters(query)
    return dimension_of(filters) if filters else (ALL, ALL)


def _matches(dimension: str, value: str, query: "SalesQuery") -> bool:
    return (dimension, value) == sales_source(query)


def sales_row(figures: Mapping[str, int]) -> Figures:
    """The row of summed item figures, with the derived ones."""
    row = {name: figures.get(name, 0) for name in ITEM_FIGURES}
    row["net_sales"] = row["gross_sales"] - row["discounts"] - row["returns"]
    row["total_sales"] = row["net_sales"] + row["shipping"]
    row["average_order_value"] = half_up(row["net_sales"], row["orders"])
    return {name: row[name] for name in ROW_FIGURES}


def sales_report(query: "SalesQuery", items: Iterable[tuple[str, str, str, Mapping[str, int]]],
                 generated_at: str) -> dict:
    """The answer from the items read, as (day, dimension, value, figures); items the query does not
    ask for and days outside the range are left out. Every period of the range has a row."""
    wanted = ((day, figures) for day, dimension, value, figures in items if _matches(dimension, value, query))
    sums = sum_by_period(wanted, query.from_, query.to, query.group_by)
    rows = [{"period": start.isoformat(), **sales_row(sums.get(start, {}))}
            for start in periods(query.from_, query.to, query.group_by)]
    return {"report": "sales", "from": query.from_.isoformat(), "to": query.to.isoformat(),
            "group_by": query.group_by, "filters": _filters(query), "rows": rows,
            "totals": sales_row(summed(sums.values())), "generated_at": generated_at}
