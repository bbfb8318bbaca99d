"""Orders: the record, its lines and totals, and what a change of an order means elsewhere (the
customer's stats, the sales figures, the unprocessed badge, the emails to send, the invoice).

Plain dataclasses and pure functions: the service reads an order, asks these what the change is,
and the repository writes all of it in one transaction. What clients send is validated by
`order_inputs`."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeGuard

from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.order_sales import OrderSales, SalesChange
from chalicelib.domain.order_status import (
    FulfillmentStatus,
    OrderState,
    OrderStatus,
    PaymentStatus,
    is_paid_or_payable_later,
)
from chalicelib.domain.records import PRIVATE
from chalicelib.domain.timeline import TimelineEvent, new_event

if TYPE_CHECKING:
    from chalicelib.domain.mail import QueuedMail  # pydantic: loaded by whoever queues a mail, not with orders

# An order's transaction writes, per line, its product's stock, and the stream's transaction that follows
# it its sku's sales item: 40 lines keep both (docs/architecture.md, "Transaction size") under DynamoDB's
# 100 items.
MAX_LINES = 40
ORDER_NUMBERS = "order_number"
FIRST_ORDER_NUMBER = 1001
UNPROCESSED = "unprocessed_orders"
ONLINE_PAYMENTS = ("card", "paypal")
PAYMENT_METHODS = ("card", "paypal", "wire_transfer", "cash_on_delivery")
# The delivery methods of a new store (code, name, fee in minor units); the merchant's own are in the
# store settings. Orders placed before a store had its own carry one of these codes.
DEFAULT_DELIVERY_METHODS = (("standard", "Standard", 490), ("express", "Express", 990), ("pickup", "Pickup", 0))


def default_delivery_name(code: str) -> str:
    """The name an order answers for its delivery method when it stored none (placed before the methods
    became the merchant's, or written by an import): the default method's name, else the code."""
    return next((name for known, name, _ in DEFAULT_DELIVERY_METHODS if known == code), code)


@dataclass
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int = 0  # off this line, minor units
    total: int = 0  # quantity * unit_price - discount
    # The product tracked its stock when the line was made: the line's quantity is taken from it while
    # the order holds stock (see `stock_changes`).
    stock_tracked: bool = field(default=False, metadata=PRIVATE)


@dataclass
class OrderCustomer:
    """Who the order is for, as it was when ordered (a guest's only record)."""

    email: str | None
    first_name: str
    last_name: str
    phone: str | None = None


@dataclass
class Discount:
    """An order-level discount: `percent` of the lines' total after line discounts, or a `fixed` amount."""

    kind: str
    value: int
    code: str | None = None


@dataclass
class Order:
    id: str
    number: int
    customer: OrderCustomer
    delivery_method: str  # the code of one of the store's delivery methods
    payment_method: str
    currency: str
    created_at: str
    updated_at: str
    delivery_method_name: str = ""  # the method's name when it was chosen (kept if the merchant renames it)
    customer_id: str | None = None  # None for guests
    billing_address: dict | None = None
    shipping_address: dict | None = None
    status: str = OrderStatus.OPEN
    payment_status: str = PaymentStatus.AWAITING_PAYMENT
    fulfillment_status: str = FulfillmentStatus.UNFULFILLED
    lines: list[OrderLine] = field(default_factory=list)
    order_discount: Discount | None = None
    subtotal: int = 0
    discount: int = 0
    shipping: int = 0
    total: int = 0
    is_test: bool = False
    attribution: dict[str, Any] = field(default_factory=dict)
    invoice_number: int | None = None
    flags: list[str] = field(default_factory=list)  # why staff should look at it (payment mismatch...)
    # For reports (docs/architecture.md): when the order was placed for the business (= created_at, but
    # staff may give an earlier time and imported orders keep their own); its store-local day, fixed at
    # placement; the store-local day its payment became refunded; the customer's group at placement.
    placed_at: str = ""
    placed_day: str = ""
    refunded_day: str | None = None
    customer_group_id: str | None = None
    imported: bool = False  # brought in by an order history import
    # The customer record whose stats this order feeds: the registered customer, or the guest entry
    # (id = order id); None once that record is deleted.
    customer_entry_id: str | None = field(default=None, metadata=PRIVATE)
    # Whom the reports count the order for: the customer entry at placement, kept when it is deleted.
    report_customer_key: str = field(default="", metadata=PRIVATE)
    version: int | None = field(default=None, metadata=PRIVATE)

    @property
    def state(self) -> OrderState:
        return OrderState(self.status, self.payment_status, self.fulfillment_status)


def with_state(order: Order, state: OrderState) -> Order:
    return dataclasses.replace(order, status=state.status, payment_status=state.payment_status,
                               fulfillment_status=state.fulfillment_status, updated_at=utc_now())


def _too_much(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, [{"field": field_name, "message": message}])


def priced(order: Order) -> Order:
    """The order with every total recomputed from its lines, in integer minor units. Discounts larger
    than what they apply to are refused (422)."""
    lines = []
    for line in order.lines:
        gross = line.quantity * line.unit_price
        if line.discount > gross:
            raise _too_much("discount", f"The discount on {line.sku} is larger than the line ({gross}).")
        lines.append(dataclasses.replace(line, total=gross - line.discount))
    if len(lines) > MAX_LINES:
        raise _too_much("lines", f"An order has at most {MAX_LINES} lines.")
    subtotal = sum(line.quantity * line.unit_price for line in lines)
    after_lines = sum(line.total for line in lines)
    order_discount = 0
    if order.order_discount is not None:
        kind, value = order.order_discount.kind, order.order_discount.value
        order_discount = after_lines * value // 100 if kind == "percent" else value
        if order_discount > after_lines:
            raise _too_much("discount", f"The discount ({order_discount}) is larger than the lines' total ({after_lines}).")
    discount = subtotal - after_lines + order_discount
    return dataclasses.replace(order, lines=lines, subtotal=subtotal, discount=discount,
                               total=subtotal - discount + order.shipping)


# What an order adds up to elsewhere. A change applies after(...) - before(...), in the transaction
# that saves the order under its version: once, whatever retries happen around it.

def counts_as_order(order: Order | None) -> TypeGuard[Order]:
    """In the customer's order count (and so the average): real orders not called off. Test orders
    count nowhere; a refunded order stays an order, without its money."""
    return order is not None and not order.is_test and order.status not in (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def is_sale(order: Order | None) -> TypeGuard[Order]:
    """In the money figures (total spent, ordered products): orders counted and not refunded."""
    return counts_as_order(order) and order.payment_status != PaymentStatus.REFUNDED


def spent(order: Order | None) -> int:
    return order.total if is_sale(order) else 0


def is_unprocessed(order: Order | None) -> bool:
    """Waiting for the warehouse: open, paid or cash on delivery, not shipped yet (the admin badge).
    An imported order is history: it waits for nothing here."""
    return (order is not None and not order.imported and order.status == OrderStatus.OPEN
            and is_paid_or_payable_later(order.state)
            and order.fulfillment_status in (FulfillmentStatus.UNFULFILLED, FulfillmentStatus.PROCESSING))


def awaits_online_payment(order: Order | None) -> bool:
    """An open card/PayPal order not paid (yet): the unpaid-order job cancels it after a while (never
    an imported one: its payment was the other platform's business)."""
    return (order is not None and not order.imported and order.status == OrderStatus.OPEN
            and order.payment_method in ONLINE_PAYMENTS
            and order.payment_status in (PaymentStatus.AWAITING_PAYMENT, PaymentStatus.PAYMENT_FAILED))


def _sales(order: Order | None) -> dict[str, tuple[int, int, str]]:
    sold: dict[str, tuple[int, int, str]] = {}
    if is_sale(order):
        for line in order.lines:
            quantity, revenue, _ = sold.get(line.sku, (0, 0, ""))
            sold[line.sku] = (quantity + line.quantity, revenue + line.total, line.name)
    return sold


def order_sales(before: Order | None, after: Order | None) -> OrderSales | None:
    """What changing `before` into `after` moves in the sales per sku and day; None if nothing."""
    old, new = _sales(before), _sales(after)
    changes = []
    for sku in sorted(old.keys() | new.keys()):
        (q0, r0, n0), (q1, r1, n1) = old.get(sku, (0, 0, "")), new.get(sku, (0, 0, ""))
        listed = True if sku not in old else False if sku not in new else None
        if (q0, r0) != (q1, r1) or listed is not None:
            changes.append(SalesChange(sku, n1 or n0, q1 - q0, r1 - r0, listed))
    order = after or before
    return OrderSales(order.id, order.created_at[:10], changes) if changes and order is not None else None


@dataclass
class StockChange:
    """How much of a sku's stock an order change takes (positive) or puts back (negative)."""

    sku: str
    quantity: int


def holds_stock(order: Order | None) -> TypeGuard[Order]:
    """An order keeps its lines' goods out of stock while it stands: not called off, and not imported
    (an order history brought in from elsewhere never moves this store's stock). A return or a refund
    does not restock by itself: staff count what came back and set the stock."""
    return order is not None and not order.imported and order.status not in (OrderStatus.CANCELLED, OrderStatus.REJECTED)


def _stock_held(order: Order | None) -> dict[str, int]:
    held: dict[str, int] = {}
    if holds_stock(order):
        for line in order.lines:
            if line.stock_tracked:
                held[line.sku] = held.get(line.sku, 0) + line.quantity
    return held


def stock_changes(before: Order | None, after: Order | None) -> list[StockChange]:
    """What the change takes from stock or puts back: what `after` holds minus what `before` held. Applied
    in the transaction that saves the order under its version, so exactly once."""
    old, new = _stock_held(before), _stock_held(after)
    return [StockChange(sku, new.get(sku, 0) - old.get(sku, 0)) for sku in sorted(old.keys() | new.keys())
            if new.get(sku, 0) != old.get(sku, 0)]


def stock_shortages(wanted: dict[str, int], stock: dict[str, int | None]) -> list[str]:
    """The skus of which less is in stock than wanted (a sku whose stock is None is not tracked)."""
    short = []
    for sku, quantity in wanted.items():
        available = stock.get(sku)
        if available is not None and available < quantity:
            short.append(sku)
    return sorted(short)


@dataclass
class OrderEffects:
    """What a change of an order means outside the order item (computed by the domain)."""

    events: list[TimelineEvent] = field(default_factory=list)
    mails: list[QueuedMail] = field(default_factory=list)
    counted_before: tuple[bool, int] = (False, 0)  # (in the order count, money counted) before
    counted_after: tuple[bool, int] = (False, 0)
    unprocessed_delta: int = 0
    payment_due: tuple[bool, bool] = (False, False)  # (before, after): awaiting an online payment
    customer_events: list[TimelineEvent] = field(default_factory=list)
    payment_event_id: str | None = None  # a provider event applied with this change (once)
    stock: list[StockChange] = field(default_factory=list)  # products whose stock the change moves


@dataclass
class OrderedProduct:
    """A line of the ordered-products report: a sku's sales over a date range, and where to buy it cheapest."""

    sku: str
    name: str
    quantity_sold: int
    revenue: int
    order_ids: list[str]
    cheapest_supplier: dict | None


@dataclass
class OrderList:
    """A page of the staff's order list, with the badge of orders waiting to be processed."""

    items: list[Order]
    next_token: str | None
    unprocessed_count: int  # paid or cash on delivery, not shipped yet: the badge


# Emails the customer hears: (axis value reached) -> template.
_MAIL_ON = {
    PaymentStatus.PAID: "payment_received",
    PaymentStatus.REFUNDED: "order_refunded",
    FulfillmentStatus.SHIPPED: "order_shipped",
    FulfillmentStatus.DELIVERED: "order_delivered",
    OrderStatus.CANCELLED: "order_cancelled",
    OrderStatus.REJECTED: "order_cancelled",
}


def mails_for(before: Order | None, after: Order) -> list[str]:
    """The templates to send for this change, in order. An imported order's customer heard of it on
    the platform it comes from: it sends nothing."""
    if after.imported:
        return []
    if before is None:
        placed = ["order_received"]
        if after.payment_status == PaymentStatus.AWAITING_VERIFICATION:
            placed.append("wire_transfer_instructions")
        return placed
    reached = [getattr(after, axis) for axis in ("payment_status", "fulfillment_status", "status")
               if getattr(after, axis) != getattr(before, axis)]
    return [_MAIL_ON[value] for value in reached if value in _MAIL_ON]


def mail_context(order: Order) -> dict:
    """What an order email's template is given."""
    view = dataclasses.asdict(order)
    for private in ("customer_entry_id", "report_customer_key", "version"):
        view.pop(private)
    return {"order": view, "customer": {"first_name": order.customer.first_name, "last_name": order.customer.last_name}}


def needs_invoice(order: Order, enabled: bool, issue_for: str) -> bool:
    """Invoices are issued once an order is paid (at placement for cash on delivery), if the store
    invoices this buyer (all, or companies only: an order whose billing address names a company)."""
    if not enabled or order.is_test or order.imported or order.invoice_number is not None or not counts_as_order(order):
        return False
    if issue_for == "companies" and not (order.billing_address or {}).get("company"):
        return False
    return order.payment_status in (PaymentStatus.PAID, PaymentStatus.UNPAID)


def is_called_off(order: Order) -> bool:
    return order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED)


# Timeline events (one small record per happening).

def imported_event(actor: str, order: Order) -> TimelineEvent:
    """The order's first event; its id is the order's (put again by an import's step redone)."""
    return new_event("order_imported", actor, {"number": order.number, "total": order.total,
                                               "reference": order.attribution.get("reference"),
                                               "placed_at": order.placed_at}, event_id=order.id)


def placed_event(actor: str, order: Order) -> TimelineEvent:
    return new_event("order_placed", actor, {"number": order.number, "total": order.total,
                                             "payment_method": order.payment_method})


def status_events(actor: str, before: Order, after: Order) -> list[TimelineEvent]:
    return [new_event("status_changed", actor, {"axis": axis, "from": getattr(before, axis), "to": getattr(after, axis)})
            for axis in ("payment_status", "fulfillment_status", "status") if getattr(before, axis) != getattr(after, axis)]


def line_event(actor: str, kind: str, line: OrderLine, before: OrderLine | None = None) -> TimelineEvent:
    data = {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price, "discount": line.discount}
    if before is not None:
        data["before"] = {"quantity": before.quantity, "unit_price": before.unit_price, "discount": before.discount}
    return new_event(f"line_{kind}", actor, data)


def discount_event(actor: str, discount: Discount | None, amount: int) -> TimelineEvent:
    return new_event("discount_applied", actor, {"discount": dataclasses.asdict(discount) if discount else None,
                                                 "amount": amount})


def address_event(actor: str, kind: str) -> TimelineEvent:
    return new_event("address_changed", actor, {"kind": kind})


def note_event(actor: str, text: str) -> TimelineEvent:
    return new_event("note", actor, {"text": text})


def payment_flagged_event(actor: str, reason: str) -> TimelineEvent:
    return new_event("payment_flagged", actor, {"reason": reason})


def invoice_event(kind: str, number: int) -> TimelineEvent:
    return new_event(f"invoice_{kind}", "system", {"number": number})


def email_event(template: str) -> TimelineEvent:
    return new_event("email_sent", "system", {"template": template})


def anonymised(order: Order) -> Order:
    """The order of a deleted customer: what was bought stays (accounting); who bought it goes.
    The city, zip and country of the addresses are kept for sales reports."""
    def strip(address: dict | None) -> dict | None:
        return None if address is None else {k: address.get(k) for k in ("city", "zip", "country")}

    return dataclasses.replace(order, customer=OrderCustomer(email=None, first_name="Deleted", last_name="customer"),
                               customer_id=None, customer_entry_id=None, billing_address=strip(order.billing_address),
                               shipping_address=strip(order.shipping_address), updated_at=utc_now())
