"""Reports for staff: sales, products, customers and payments over a date range, read from the
pre-aggregated report items only (never the orders), and saved reports.

Definitions are the domain's (chalicelib/domain/reports.py and reports_<family>.py)."""
from datetime import date

from chalicelib.domain import clock
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.pages import Page, offset_of, offset_token
from chalicelib.domain.reports import local_today
from chalicelib.domain.reports_customers import customers_range, customers_report
from chalicelib.domain.reports_inputs import (
    CustomersQuery,
    PaymentsQuery,
    ProductsQuery,
    ReportQuery,
    SalesQuery,
    SavedReportChanges,
    SavedReportDraft,
)
from chalicelib.domain.reports_payments import payments_report
from chalicelib.domain.reports_products import products_report
from chalicelib.domain.reports_sales import sales_report, sales_source
from chalicelib.domain.saved_reports import SavedReport, check_recipients
from chalicelib.services import configuration
from chalicelib.settings import get_settings
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo
from chalicelib.store import report_aggregates as repo
from chalicelib.store import saved_reports as saved_repo

# Reading


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
    found = product_repo.get_many(sorted(skus))
    return {sku: {"name": p.name, "price": p.price, "category": p.category, "brand": p.brand, "status": p.status}
            for sku, p in found.items()}


# Saved reports


def store_today() -> date:
    """Today in the store's time zone (relative ranges and schedules count store days)."""
    return local_today(clock.now(), configuration.store_settings().timezone)


def staff_domains() -> tuple[str, ...]:
    return tuple(d.strip().lower() for d in get_settings().staff_email_domains.split(",") if d.strip())


def get_saved(report_id: str) -> SavedReport:
    found = saved_repo.get(report_id)
    if found is None:
        raise NotFound("No saved report with this id.")
    return found[0]


def list_saved(limit: int, next_token: str | None) -> Page[SavedReport]:
    return saved_repo.page(limit, next_token)


def create_saved(draft: SavedReportDraft, actor: str) -> SavedReport:
    check_recipients(draft.recipients, staff_domains())
    now = utc_now()
    report = SavedReport(id=new_id(), created_at=now, created_by=actor, updated_at=now,
                         **draft.model_dump(mode="json", by_alias=True))
    saved_repo.create(report)
    return report


def update_saved(report_id: str, changes: SavedReportChanges) -> SavedReport:
    found = saved_repo.get(report_id)
    if found is None:
        raise NotFound("No saved report with this id.")
    current, version = found
    draft = changes.apply_to(SavedReportDraft.model_validate(current.definition()))
    check_recipients(draft.recipients, staff_domains())
    changed = SavedReport(id=current.id, created_at=current.created_at, created_by=current.created_by,
                          updated_at=utc_now(), last_covered=current.last_covered,
                          **draft.model_dump(mode="json", by_alias=True))
    saved_repo.update(changed, version)
    return changed


def delete_saved(report_id: str) -> None:
    if not saved_repo.delete(report_id):
        raise NotFound("No saved report with this id.")


def run_saved(report_id: str) -> dict:
    """The saved report now: a relative range counts from today in the store's time zone."""
    saved = get_saved(report_id)
    query = SavedReportDraft.model_validate(saved.definition()).query(store_today())
    return {**run(query), "saved_report_id": saved.id, "name": saved.name}
