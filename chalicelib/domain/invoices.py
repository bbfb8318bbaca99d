"""Invoices: issued once per order with a gapless number, never changed, cancelled (number kept)
when their order is cancelled or rejected."""
from dataclasses import dataclass, field

from chalicelib.domain.orders import Order


class InvoiceStatus:
    ISSUED = "issued"
    CANCELLED = "cancelled"


INVOICE_NUMBERS = "invoice"


@dataclass
class Invoice:
    number: int
    order_id: str
    order_number: int
    issued_at: str
    status: str
    buyer: dict  # name, email, company and billing address as on the order
    lines: list[dict]
    subtotal: int
    discount: int
    shipping: int
    total: int
    currency: str
    cancelled_at: str | None = None
    cancellation_reason: str | None = None
    download_url: str | None = None  # a short-lived link, on the detail only
    document_key: str | None = field(default=None, metadata={"private": True})


def invoice_for(order: Order, number: int, issued_at: str) -> Invoice:
    buyer = {"first_name": order.customer.first_name, "last_name": order.customer.last_name,
             "email": order.customer.email, "address": order.billing_address or order.shipping_address}
    return Invoice(number=number, order_id=order.id, order_number=order.number, issued_at=issued_at,
                   status=InvoiceStatus.ISSUED, buyer=buyer,
                   lines=[{"sku": line.sku, "name": line.name, "quantity": line.quantity, "unit_price": line.unit_price,
                           "discount": line.discount, "total": line.total} for line in order.lines],
                   subtotal=order.subtotal, discount=order.discount, shipping=order.shipping, total=order.total,
                   currency=order.currency)


def document_key(number: int, cancelled: bool = False) -> str:
    """Where its PDF is: a cancelled invoice's PDF (marked cancelled) is another document."""
    return f"invoices/{number:08d}{'-cancelled' if cancelled else ''}.pdf"
