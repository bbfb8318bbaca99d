"""Reports for staff: sales, products, customers and payments over a date range, read from the
pre-aggregated report items only (never the orders).

Definitions are the domain's (chalicelib/domain/reports.py and reports_<family>.py). Saved reports are
services/saved_reports.py's: a report's first request loads neither them nor their inputs. The store
code of products and customers is loaded by the reports that show them only (a cold start's first
sales or payments report loads neither)."""
from chalicelib.domain.clock import utc_now
from chalicelib.domain.pages import offset_of, offset_token
from chalicelib.domain.reports_customers import customers_range, customers_report
from chalicelib.domain.reports_payments import payments_report
from chalicelib.domain.reports_products import products_report
from chalicelib.domain.reports_queries import CustomersQuery, PaymentsQuery, ProductsQuery, ReportQuery, SalesQuery
from chalicelib.domain.reports_sales import sales_report, sales_source
from chalicelib.store import report_aggregates as repo


def sales(query: SalesQuery) -> dict:
    """One item per day for the dimension the filters ask for (all, one filter, or the combinations)."""
    dimension, value = sales_source(query)
    return sales_report(query, repo.sales_items(dimension, value, query.from_, query.to), utc_now())


def products(query: ProductsQuery) -> dict:
    """One page of the skus sold in the range, with their current catalogue fields."""
    items = list(repo.product_items(query.from_, query.to))
    answer, next_offset = products_report(query, items, _catalogue({sku for _, sku, _ in items}),
                                          offset_of(query.next_token), utc_now())
    return {**answer, "next_token": offset_token(next_offset)}


def all_products(query: ProductsQuery) -> dict:
    """Every sku's row (a file's), read once and paged through in memory."""
    items = list(repo.product_items(query.from_, query.to))
    catalogue, generated_at = _catalogue({sku for _, sku, _ in items}), utc_now()
    answer, offset = products_report(query, items, catalogue, 0, generated_at)
    while offset is not None:
        page, offset = products_report(query, items, catalogue, offset, generated_at)
        answer["rows"] += page["rows"]
    return answer


def customers(query: CustomersQuery) -> dict:
    """Period items of the range widened to whole periods, and the customer-day items of those days;
    the top customers are named from their customer records (a deleted one has no name)."""
    from chalicelib.store import customers as customer_repo

    start, end = customers_range(query)
    answer = customers_report(query, repo.customer_period_items(query.group_by, start, end),
                              repo.customer_day_items(start, end), utc_now())
    found = {c.id: c for c in customer_repo.get_many([row["customer_id"] for row in answer["top_customers"]])}
    for row in answer["top_customers"]:
        customer = found.get(row["customer_id"])
        row["email"] = customer.email if customer else None
        row["name"] = f"{customer.first_name} {customer.last_name}".strip() if customer else None
    return answer


def payments(query: PaymentsQuery) -> dict:
    return payments_report(query, repo.payment_items(query.from_, query.to), utc_now())


def run(query: ReportQuery, whole: bool = False) -> dict:
    """The report a query is for (`whole`: every products row, not a page)."""
    if isinstance(query, ProductsQuery):
        return all_products(query) if whole else products(query)
    if isinstance(query, SalesQuery):
        return sales(query)
    if isinstance(query, CustomersQuery):
        return customers(query)
    return payments(query)


def _catalogue(skus: set[str]) -> dict[str, dict]:
    from chalicelib.store import products as product_repo

    found = product_repo.get_many(sorted(skus))
    return {sku: {"name": p.name, "price": p.price, "category": p.category, "brand": p.brand, "status": p.status}
            for sku, p in found.items()}
