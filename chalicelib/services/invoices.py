"""Invoices follow their orders: issued when an order becomes paid (at placement for cash on
delivery), cancelled when it is cancelled or rejected. Run from the table's stream, after the order
change is stored: an invoice never blocks or undoes an order change, and a failure is retried."""
import dataclasses
from datetime import date

from chalicelib.aws_clients import client
from chalicelib.domain import orders as order_domain
from chalicelib.domain.customers import day_end, day_start, utc_now
from chalicelib.domain.errors import NotFound
from chalicelib.domain.invoices import Invoice, document_key, invoice_for
from chalicelib.domain.orders import Order
from chalicelib.services import configuration
from chalicelib.settings import get_settings
from chalicelib.store import invoices as repo
from chalicelib.store.pagination import Page


def on_order_changed(before: Order | None, after: Order) -> None:
    invoicing = configuration.store_settings().invoicing
    if order_domain.needs_invoice(after, invoicing.enabled, invoicing.issue_for):
        invoice = repo.issue(after.id, lambda number: invoice_for(after, number, utc_now()),
                             lambda number: order_domain.invoice_event("issued", number))
        if invoice is not None:
            _store_document(invoice)
    elif after.invoice_number is not None and (before is None or before.invoice_number is None):
        _ensure_document(after.invoice_number)  # the issuing run may have stopped before the PDF
    if order_domain.invoice_cancelled_by(before, after):
        invoice = repo.get(after.invoice_number)
        if invoice is not None and repo.cancel(invoice, utc_now(), f"order {after.status}",
                                               order_domain.invoice_event("cancelled", invoice.number)):
            _store_document(repo.get(invoice.number))  # the PDF says cancelled too


def _store_document(invoice: Invoice) -> None:
    from chalicelib.notify.invoice_pdf import render

    key = document_key(invoice.number)
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=render(invoice),
                            ContentType="application/pdf")
    repo.set_document(invoice.number, key)


def _ensure_document(number: int) -> None:
    invoice = repo.get(number)
    if invoice is not None and invoice.document_key is None:
        _store_document(invoice)


def get_invoice(number: int) -> Invoice:
    """The invoice with a short-lived link to its PDF (once the PDF is stored)."""
    invoice = repo.get(number)
    if invoice is None:
        raise NotFound("No invoice with this number.")
    if invoice.document_key is None:
        return invoice
    settings = get_settings()
    url = client("s3").generate_presigned_url("get_object", Params={"Bucket": settings.documents_bucket,
                                                                    "Key": invoice.document_key},
                                              ExpiresIn=settings.download_link_seconds)
    return dataclasses.replace(invoice, download_url=url)


def list_invoices(issued_from: date | None, issued_to: date | None, limit: int, next_token: str | None) -> Page[Invoice]:
    return repo.page(day_start(issued_from), day_end(issued_to), limit, next_token)

