"""Invoices follow their orders: issued when an order becomes paid (at placement for cash on
delivery), cancelled when it is cancelled or rejected. Run from the table's stream, after the order
change is stored: an invoice never blocks or undoes an order change, and a failure is retried."""
import dataclasses
from datetime import date

from chalicelib.aws_clients import client
from chalicelib.domain import orders as order_domain
from chalicelib.domain.clock import utc_now
from chalicelib.domain.customers import day_end, day_start
from chalicelib.domain.errors import NotFound
from chalicelib.domain.invoices import Invoice, InvoiceStatus, document_key, invoice_for
from chalicelib.domain.pages import Page
from chalicelib.services import configuration
from chalicelib.settings import get_settings
from chalicelib.store import invoices as repo
from chalicelib.store import orders


def on_order_changed(order_id: str) -> None:
    """Bring the order's invoice in line with the order as it is now (read again: a stream image can
    be older than the order, e.g. a line added before this record is handled). Safe to repeat."""
    order = orders.get(order_id)
    if order is None:
        return
    invoicing = configuration.store_settings().invoicing
    if order_domain.needs_invoice(order, invoicing.enabled, invoicing.issue_for):
        # Conditioned on the order's version: if it changes meanwhile, its own record issues it.
        invoice = repo.issue(order.id, order.version, lambda number: invoice_for(order, number, utc_now()),
                             lambda number: order_domain.invoice_event("issued", number))
        if invoice is not None:
            _ensure_document(invoice)
        return
    if order.invoice_number is None:
        return
    invoice = repo.get(order.invoice_number)
    if invoice is None:
        return
    if order_domain.is_called_off(order) and invoice.status == InvoiceStatus.ISSUED:
        repo.cancel(invoice, utc_now(), f"order {order.status}", order_domain.invoice_event("cancelled", invoice.number))
        invoice = repo.get(invoice.number)
    if invoice is not None:
        _ensure_document(invoice)


def _ensure_document(invoice: Invoice) -> None:
    """The PDF that says what the invoice is now (issued, or cancelled: another key), stored once."""
    from chalicelib.notify.invoice_pdf import render

    key = document_key(invoice.number, cancelled=invoice.status == InvoiceStatus.CANCELLED)
    if invoice.document_key == key:
        return
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=render(invoice),
                            ContentType="application/pdf")
    repo.set_document(invoice.number, key)


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

