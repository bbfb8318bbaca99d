"""The products report: items per (day, sku) and the report read from them.

Figures of an item: units_sold, gross_sales (unit price x quantity), orders (1 per counted order
with the sku). Orders count as in the sales report's gross: on their placed day, not called off, not
test; a refunded order keeps its gross here (its return is in the sales report), so the products'
gross over a range is the sales report's gross. The report joins the catalogue (current price,
category, brand, status), filters, sorts descending by the figure asked (ties by sku) and pages.
"""
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.reports import Deltas, Figures, OrderFacts, add_into, counts, deltas_of

if TYPE_CHECKING:  # the stream handler computes deltas without loading pydantic
    from chalicelib.domain.reports_queries import ProductsQuery

ITEM_FIGURES = ("units_sold", "gross_sales", "orders")
CATALOGUE_FIELDS = ("name", "price", "category", "brand", "status")
ROW_FIELDS = ("sku", "name", "units_sold", "gross_sales", "orders", "price", "category", "brand", "status")


def _contribution(facts: OrderFacts | None) -> Deltas:
    items: Deltas = {}
    if counts(facts):
        for line in facts.lines:
            add_into(items, (facts.placed_day, line.sku), {"units_sold": line.quantity, "gross_sales": line.gross})
        for key in items:
            items[key]["orders"] = 1  # once per order, however many lines carry the sku
    return items


def product_deltas(before: OrderFacts | None, after: OrderFacts | None) -> Deltas:
    """{(day, sku): {figure: delta}} of an order change."""
    return deltas_of(_contribution, before, after)


def _selected(row: Mapping, query: "ProductsQuery") -> bool:
    return all(getattr(query, name) is None or row[name] == getattr(query, name) for name in ("category", "brand", "status"))


def products_report(query: "ProductsQuery", items: Iterable[tuple[str, str, Mapping[str, int]]],
                    catalogue: Mapping[str, Mapping], offset: int, generated_at: str) -> tuple[dict, int | None]:
    """The answer's page starting at `offset` (rows of the whole sorted list), and the offset of the
    next page (None on the last). `items` are (day, sku, figures); `catalogue` gives each sku's
    current name, price, category, brand, status (a sku it lacks shows None there)."""
    if offset < 0:
        raise BadRequest("The next_token is not valid.")
    sums: dict[str, Figures] = {}
    for day, sku, figures in items:
        if query.from_ <= date.fromisoformat(day) <= query.to:
            add_into(sums, sku, figures)
    rows: list[dict[str, Any]] = []
    for sku, figures in sums.items():
        if not any(figures.values()):
            continue  # sold, then edited away
        product = catalogue.get(sku, {})
        row = {"sku": sku, **{name: figures.get(name, 0) for name in ITEM_FIGURES},
               **{name: product.get(name) for name in CATALOGUE_FIELDS}}
        if _selected(row, query):
            rows.append(row)
    rows.sort(key=lambda row: (-row[query.sort], row["sku"]))
    page = rows[offset:offset + query.limit]
    next_offset = offset + query.limit if offset + query.limit < len(rows) else None
    totals = {"products": len(rows), "units_sold": sum(row["units_sold"] for row in rows),
              "gross_sales": sum(row["gross_sales"] for row in rows)}
    answer = {"report": "products", "from": query.from_.isoformat(), "to": query.to.isoformat(), "group_by": None,
              "sort": query.sort, "rows": [{name: row[name] for name in ROW_FIELDS} for row in page],
              "totals": totals, "generated_at": generated_at}
    return answer, next_offset
