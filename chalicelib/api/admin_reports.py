"""Admin: reports (/admin/reports/...): sales, products, customers, payments; saved reports; the nightly files.

Any staff role reads reports, runs saved ones and downloads files (support answers merchants' questions
with them); admins and agents save, change and delete saved reports (a schedule mails store figures,
so support, who only read, cannot set one up). Shoppers never reach them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, PUBLIC, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.reports_inputs import SavedReportChanges, SavedReportDraft
    from chalicelib.domain.reports_queries import CustomersQuery, PaymentsQuery, ProductsQuery, SalesQuery
    from chalicelib.domain.saved_reports import FilesQuery

bp = Blueprint(__name__)
QUERIES = "chalicelib.domain.reports_queries"  # a report's first request loads these, not the saved-report inputs
INPUTS = "chalicelib.domain.reports_inputs"
SAVED = "chalicelib.domain.saved_reports"
ANSWER = f"{QUERIES}:ReportAnswer"
EDITORS = staff("admin", "agent")


@route(bp, "/reports/sales", "GET", access=ANY_STAFF, query=f"{QUERIES}:SalesQuery", response=ANSWER,
       summary="Sales per day, week or month: orders, units, gross, discounts, returns, net, shipping, total")
def sales_report(principal: Principal, query: SalesQuery):
    from chalicelib.services import reports

    return reports.sales(query)


@route(bp, "/reports/products", "GET", access=ANY_STAFF, query=f"{QUERIES}:ProductsQuery", response=ANSWER,
       summary="Per sku sold in the range: units, gross sales, orders, and its catalogue fields (paginated)")
def products_report(principal: Principal, query: ProductsQuery):
    from chalicelib.services import reports

    return reports.products(query)


@route(bp, "/reports/customers", "GET", access=ANY_STAFF, query=f"{QUERIES}:CustomersQuery", response=ANSWER,
       summary="New and returning customers per period, top customers, by country")
def customers_report(principal: Principal, query: CustomersQuery):
    from chalicelib.services import reports

    return reports.customers(query)


@route(bp, "/reports/payments", "GET", access=ANY_STAFF, query=f"{QUERIES}:PaymentsQuery", response=ANSWER,
       summary="Orders and amounts per payment method and status, refunds, paid versus awaiting")
def payments_report(principal: Principal, query: PaymentsQuery):
    from chalicelib.services import reports

    return reports.payments(query)


@route(bp, "/reports/saved", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{SAVED}:SavedReport"),
       summary="Saved reports")
def list_saved_reports(principal: Principal, query: ListQuery):
    from chalicelib.services import saved_reports

    return saved_reports.list_saved(query.limit, query.next_token)


@route(bp, "/reports/saved", "POST", access=EDITORS, body=f"{INPUTS}:SavedReportDraft", response=f"{SAVED}:SavedReport",
       status=201, summary="Save a report: a fixed or relative range, filters, and optionally a schedule with recipients")
def create_saved_report(principal: Principal, body: SavedReportDraft):
    from chalicelib.services import saved_reports

    return saved_reports.create_saved(body, principal.actor)


@route(bp, "/reports/saved/{report_id}", "GET", access=ANY_STAFF, response=f"{SAVED}:SavedReport", summary="A saved report")
def get_saved_report(principal: Principal, report_id: str):
    from chalicelib.services import saved_reports

    return saved_reports.get_saved(report_id)


@route(bp, "/reports/saved/{report_id}", "PATCH", access=EDITORS, body=f"{INPUTS}:SavedReportChanges",
       response=f"{SAVED}:SavedReport", summary="Change a saved report")
def change_saved_report(principal: Principal, report_id: str, body: SavedReportChanges):
    from chalicelib.services import saved_reports

    return saved_reports.update_saved(report_id, body)


@route(bp, "/reports/saved/{report_id}", "DELETE", access=EDITORS, status=204, summary="Delete a saved report")
def delete_saved_report(principal: Principal, report_id: str):
    from chalicelib.services import saved_reports

    saved_reports.delete_saved(report_id)


@route(bp, "/reports/saved/{report_id}/run", "GET", access=ANY_STAFF, response=ANSWER,
       summary="Run a saved report now (a relative range counts from today in the store's time zone)")
def run_saved_report(principal: Principal, report_id: str):
    from chalicelib.services import saved_reports

    return saved_reports.run_saved(report_id)


@route(bp, "/reports/files", "GET", access=ANY_STAFF, query=f"{SAVED}:FilesQuery",
       response=page_of(f"{SAVED}:ReportFile"), summary="The report files written on schedule, with 5-minute download links")
def list_report_files(principal: Principal, query: FilesQuery):
    from chalicelib.services import report_files

    return report_files.list_files(query)


@route(bp, "/reports/links/{link_id}", "GET", access=PUBLIC, status=302, statuses=(410,),
       summary="A report file's link from a staff email (valid 7 days): answers with a 5-minute download link")
def open_report_link(link_id: str):
    from chalicelib.services import report_files

    return report_files.open_link(link_id)
