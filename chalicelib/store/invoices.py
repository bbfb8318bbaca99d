"""Invoice repository. `INVOICE#<number>/INVOICE`, GSI1 `INVOICES` sorted by `<issued_at>#<number>`.

An invoice is written with its number (gapless counter `COUNTER#invoice`), the order's
invoice_number and an order event in ONE transaction: conditioned on the order having no invoice
yet, so a redelivered "order paid" change issues nothing and uses no number."""
from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.invoices import INVOICE_NUMBERS, Invoice, InvoiceStatus
from chalicelib.domain.pages import Page
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store import counters
from chalicelib.store.models import InvoiceItem, OrderItem, condition_failed, transact_write, unchecked_version
from chalicelib.store.orders import event_item, order_key
from chalicelib.store.pagination import decode_token, encode_token

_FIELDS = ("number", "order_id", "issued_at", "status", "buyer", "lines", "currency", "document_key", "cancelled_at",
           "cancellation_reason")
_TOTALS = ("subtotal", "discount", "shipping", "total")


def _pk(number: int) -> str:
    return f"INVOICE#{number:08d}"


def _item(invoice: Invoice) -> InvoiceItem:
    return InvoiceItem(PK=_pk(invoice.number), SK="INVOICE", GSI1PK="INVOICES",
                       GSI1SK=f"{invoice.issued_at}#{invoice.number:08d}",
                       totals={**{k: getattr(invoice, k) for k in _TOTALS}, "order_number": invoice.order_number},
                       **{k: getattr(invoice, k) for k in _FIELDS})


def _to_domain(item: InvoiceItem) -> Invoice:
    fields = {k: getattr(item, k) for k in _FIELDS}
    fields["number"] = int(fields["number"])
    return Invoice(**fields, **item.totals)


def issue(order_id: str, order_version: int | None, make: Callable[[int], Invoice],
          event: Callable[[int], TimelineEvent]) -> Invoice | None:
    """The order's invoice under the next gapless number; None if the order has one already or is no
    longer at `order_version` (changed meanwhile: it is looked at again for that change)."""
    issued: list[Invoice] = []

    def stage(tx, number: int) -> None:
        issued[:] = [make(number)]
        tx.save(_item(issued[0]), condition=InvoiceItem.PK.does_not_exist())
        tx.update(unchecked_version(order_key(order_id)), actions=[OrderItem.invoice_number.set(number)],
                  condition=(OrderItem.version == order_version) & OrderItem.invoice_number.does_not_exist(),
                  add_version_condition=False)
        tx.save(event_item(order_id, event(number)))

    return issued[0] if counters.take_gapless(INVOICE_NUMBERS, stage) is not None else None


def get(number: int) -> Invoice | None:
    try:
        return _to_domain(InvoiceItem.get(_pk(number), "INVOICE", consistent_read=True))
    except InvoiceItem.DoesNotExist:
        return None


def set_document(number: int, key: str) -> None:
    InvoiceItem(PK=_pk(number), SK="INVOICE").update(actions=[InvoiceItem.document_key.set(key)],
                                                      condition=InvoiceItem.PK.exists())


def cancel(invoice: Invoice, at: str, reason: str, event: TimelineEvent) -> bool:
    """Mark it cancelled (number kept) with the order's event; False if it was cancelled already."""
    try:
        with transact_write() as tx:
            tx.update(InvoiceItem(PK=_pk(invoice.number), SK="INVOICE"),
                      actions=[InvoiceItem.status.set(InvoiceStatus.CANCELLED), InvoiceItem.cancelled_at.set(at),
                               InvoiceItem.cancellation_reason.set(reason)],
                      condition=InvoiceItem.status == InvoiceStatus.ISSUED)
            tx.save(event_item(invoice.order_id, event))
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def page(issued_from: str | None, issued_to: str | None, limit: int, next_token: str | None) -> Page[Invoice]:
    """Newest first, ONE Query per page; the date range is a key condition."""
    start = decode_token(next_token, {"PK", "SK", "GSI1PK", "GSI1SK"})
    result = InvoiceItem.gsi1.query("INVOICES", InvoiceItem.GSI1SK.between(issued_from or "0", (issued_to or "9999") + "~"),
                                    scan_index_forward=False, limit=limit, last_evaluated_key=start)
    items = [_to_domain(i) for i in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))

