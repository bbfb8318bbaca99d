"""Order history brought in from another platform: the rows of one order become one order of ours.

An imported order keeps its own date and states, and is marked `imported`: it sends no email, issues
no invoice, moves no stock and waits for nothing (domain/orders.py); it counts in the customer's
stats and in the reports on its own day. Its id is made of its reference (`order_id_of`), so the
order's own condition (new) takes the reference: a reference met again in the same file adds its
lines to the order, and one imported by an earlier job is not imported twice."""
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.clock import iso
from chalicelib.domain.ids import derived_id
from chalicelib.domain.import_rows import ImportedOrderLine
from chalicelib.domain.orders import MAX_LINES, Discount, Order, OrderCustomer, OrderLine
from chalicelib.domain.reports import local_day

UNKNOWN_PAYMENT = "unknown"  # the file does not say how it was paid: reports show it as such
_SKU_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OrderRef:
    """Where an imported reference leads: the order, and the job and row that created it."""

    order_id: str
    job_id: str
    row: int


@dataclass(frozen=True)
class ImportedRows:
    """Written with lines added to an imported order: these rows of the job are in it (a redone step
    finds them and adds nothing twice)."""

    order_id: str
    job_id: str
    rows: tuple[int, ...]


@dataclass
class Buyer:
    """Who an imported order is for: a customer of the store (found by email or external id: its id
    and group), or a guest (the order's own entry, in the guests group); as the order shows them."""

    snapshot: OrderCustomer
    customer_id: str | None = None
    group_id: str | None = None


@dataclass
class ImportedOrder:
    """The rows of one reference in a step, with the line that carries the order's own fields."""

    ref: str
    lines: list[ImportedOrderLine] = field(default_factory=list)

    @property
    def head(self) -> ImportedOrderLine | None:
        return next((line for line in self.lines if line.order_fields_present), None)

    @property
    def rows(self) -> tuple[int, ...]:
        return tuple(line.row for line in self.lines)


def by_reference(lines: list[ImportedOrderLine]) -> list[ImportedOrder]:
    """Rows grouped into orders by reference, in the order references are first met."""
    orders: dict[str, ImportedOrder] = {}
    for line in lines:
        orders.setdefault(line.order_ref, ImportedOrder(line.order_ref)).lines.append(line)
    return list(orders.values())


def sku_of(line: ImportedOrderLine) -> str:
    """The line's sku, or one made from its product name (a line with a name alone)."""
    if line.sku:
        return _SKU_CHARACTERS.sub("-", line.sku)[:64]
    name = line.product_name or ""
    digest = hashlib.sha256(name.casefold().encode()).hexdigest()[:8].upper()
    return f"IMP-{_SKU_CHARACTERS.sub('-', name.upper())[:40].strip('-')}-{digest}"


def order_lines(lines: list[ImportedOrderLine], names: dict[str, str],
                existing: Sequence[OrderLine] = ()) -> list[OrderLine]:
    """The order's lines: the same sku at the same price is one line (quantities added). `names`: the
    catalogue's name of each sku, for lines that give none. At most MAX_LINES (ValueError beyond)."""
    merged = list(existing)
    for line in lines:
        sku = sku_of(line)
        index = next((i for i, known in enumerate(merged) if known.sku == sku and known.unit_price == line.unit_price), None)
        if index is not None:
            known = merged[index]
            merged[index] = OrderLine(sku=sku, name=known.name, quantity=known.quantity + line.quantity,
                                      unit_price=line.unit_price)
        else:
            merged.append(OrderLine(sku=sku, name=line.product_name or names.get(sku, sku), quantity=line.quantity,
                                    unit_price=line.unit_price))
    if len(merged) > MAX_LINES:
        raise ValueError(f"an order has at most {MAX_LINES} lines")
    return merged


def order_id_of(ref: str) -> str:
    """The id of the order imported from this platform reference: the same for every job and every
    row of it (a row without the order's fields finds its order by it). Its ULID time part is 0: the
    reference alone makes it (what sorts by time uses the order's `created_at`)."""
    return derived_id(0, "imported-order", ref)


def pointer_of(order_id: str, attribution: dict[str, Any]) -> OrderRef | None:
    """Where an imported order came from (the job and the first row of its reference)."""
    if attribution.get("channel") != "import" or "row" not in attribution:
        return None
    return OrderRef(order_id, attribution["job_id"], int(attribution["row"]))


def imported_order(imported: ImportedOrder, head: ImportedOrderLine, buyer: Buyer, lines: list[OrderLine], number: int,
                   job_id: str, currency: str, timezone: str, now: str) -> Order:
    """The order as this store keeps it. Its date is the platform's; a refund's day is unknown, so a
    refunded order is refunded on the day it was placed."""
    placed = head.placed_at or datetime.fromisoformat(now.replace("Z", "+00:00"))
    placed_at = iso(placed)
    day = local_day(placed_at, timezone)
    order_id = order_id_of(imported.ref)
    address = {"country": head.country} if head.country else None
    return Order(
        id=order_id, number=number, customer=buyer.snapshot, customer_id=buyer.customer_id,
        customer_entry_id=buyer.customer_id or order_id, report_customer_key=buyer.customer_id or order_id,
        customer_group_id=buyer.group_id, delivery_method=head.delivery_method or "standard",
        payment_method=head.payment_method or UNKNOWN_PAYMENT, currency=head.currency or currency,
        created_at=placed_at, updated_at=now, placed_at=placed_at, placed_day=day,
        refunded_day=day if head.payment_status == "refunded" else None, billing_address=address,
        shipping_address=address, status=head.status, payment_status=head.payment_status,
        fulfillment_status=head.fulfillment_status, lines=lines, shipping=head.shipping or 0,
        order_discount=Discount(kind="fixed", value=head.discount) if head.discount else None, imported=True,
        attribution={"channel": "import", "job_id": job_id, "reference": imported.ref, "row": imported.lines[0].row})


def guest_of(head: ImportedOrderLine) -> OrderCustomer:
    """A guest order's buyer as the file names them (a file with no names: "Guest")."""
    first, last = head.first_name or "", head.last_name or ""
    if not first and not last:
        first = "Guest"
    return OrderCustomer(email=head.customer_email, first_name=first, last_name=last)
