"""Admin: reports (/admin/reports/...): sales, products, customers, payments; saved reports; the nightly files.

Any staff role reads reports, runs saved ones and downloads files (support answers merchants' questions
with them); admins and agents save, change and delete saved reports (a schedule mails store figures,
so support, who only read, cannot set one up). Shoppers never reach them."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, route, staff
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
reports = lazy_import("chalicelib.services.reports")
report_files = lazy_import("chalicelib.services.report_files")
INPUTS = "chalicelib.domain.reports_inputs"
SAVED = "chalicelib.domain.saved_reports"
ANSWER = f"{SAVED}:ReportAnswer"
EDITORS = staff("admin", "agent")


@route(bp, "/reports/sales", "GET", access=ANY_STAFF, query=f"{INPUTS}:SalesQuery", response=ANSWER,
       summary="Sales per day, week or month: orders, units, gross, discounts, returns, net, shipping, total")
def sales_report(principal, query):
    return reports.sales(query)


@route(bp, "/reports/products", "GET", access=ANY_STAFF, query=f"{INPUTS}:ProductsQuery", response=ANSWER,
       summary="Per sku sold in the range: units, gross sales, orders, and its catalogue fields (paginated)")
def products_report(principal, query):
    return reports.products(query)


@route(bp, "/reports/customers", "GET", access=ANY_STAFF, query=f"{INPUTS}:CustomersQuery", response=ANSWER,
       summary="New and returning customers per period, top customers, by country")
def customers_report(principal, query):
    return reports.customers(query)


@route(bp, "/reports/payments", "GET", access=ANY_STAFF, query=f"{INPUTS}:PaymentsQuery", response=ANSWER,
       summary="Orders and amounts per payment method and status, refunds, paid versus awaiting")
def payments_report(principal, query):
    return reports.payments(query)


@route(bp, "/reports/saved", "GET", access=ANY_STAFF, query=LIST_QUERY, response=list[f"{SAVED}:SavedReport"],
       summary="Saved reports")
def list_saved_reports(principal, query):
    return reports.list_saved(query.limit, query.next_token)


@route(bp, "/reports/saved", "POST", access=EDITORS, body=f"{INPUTS}:SavedReportDraft", response=f"{SAVED}:SavedReport",
       status=201, summary="Save a report: a fixed or relative range, filters, and optionally a schedule with recipients")
def create_saved_report(principal, body):
    return reports.create_saved(body, principal.actor)


@route(bp, "/reports/saved/{report_id}", "GET", access=ANY_STAFF, response=f"{SAVED}:SavedReport", summary="A saved report")
def get_saved_report(principal, report_id: str):
    return reports.get_saved(report_id)


@route(bp, "/reports/saved/{report_id}", "PATCH", access=EDITORS, body=f"{INPUTS}:SavedReportChanges",
       response=f"{SAVED}:SavedReport", summary="Change a saved report")
def change_saved_report(principal, report_id: str, body):
    return reports.update_saved(report_id, body)


@route(bp, "/reports/saved/{report_id}", "DELETE", access=EDITORS, status=204, summary="Delete a saved report")
def delete_saved_report(principal, report_id: str):
    reports.delete_saved(report_id)


@route(bp, "/reports/saved/{report_id}/run", "GET", access=ANY_STAFF, response=ANSWER,
       summary="Run a saved report now (a relative range counts from today in the store's time zone)")
def run_saved_report(principal, report_id: str):
    return reports.run_saved(report_id)


@route(bp, "/reports/files", "GET", access=ANY_STAFF, query=f"{SAVED}:FilesQuery",
       response=list[f"{SAVED}:ReportFile"], summary="The report files written on schedule, with 5-minute download links")
def list_report_files(principal, query):
    return report_files.list_files(query)
