"""Carts: lines of sku and quantity, priced from the catalogue whenever they are shown or checked out
(a client never sends a price), with the customer group's discount and a coupon on top."""
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import MAX_LINES  # a cart's lines become an order's
from chalicelib.domain.products import Product, ProductStatus
from chalicelib.domain.records import PRIVATE

MAX_QUANTITY = 999


class CartState:
    OPEN = "open"
    CHECKED_OUT = "checked_out"
    MERGED = "merged"  # a guest cart taken into the customer's cart at login


@dataclass
class CartLine:
    sku: str
    quantity: int


@dataclass
class Cart:
    id: str
    state: str
    created_at: str
    updated_at: str
    customer_id: str | None = None
    lines: list[CartLine] = field(default_factory=list)
    coupon: str | None = None
    schedule: dict[str, Any] | None = None  # {"kind": "once"} or {"kind": "recurring", "frequency": ...}
    attribution: dict[str, Any] = field(default_factory=dict)
    order_id: str | None = None
    reminded_at: str | None = None
    ip: str | None = field(default=None, metadata=PRIVATE)
    token_hash: str | None = field(default=None, metadata=PRIVATE)
    version: int | None = field(default=None, metadata=PRIVATE)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass
class CartClosed:
    """Written with the order a checkout places: the cart in its closed state, under the version read
    (a cart changed meanwhile cancels the order's transaction)."""

    cart: Cart


@dataclass
class CartLink:
    """A checkout link as stored: which cart it opens for which customer, until when (epoch seconds),
    and who made it. The token names it; deleting it revokes the token."""

    id: str
    cart_id: str
    customer_id: str
    expires_at: int
    created_by: str


@dataclass
class PricedLine:
    sku: str
    name: str
    quantity: int
    unit_price: int
    total: int


@dataclass
class CartView:
    """A cart as shoppers and staff see it: current catalogue prices, discounts, totals."""

    id: str
    customer_id: str | None
    state: str
    lines: list[PricedLine]
    coupon: str | None
    subtotal: int
    discount: int
    total: int
    quantity: int
    updated_at: str
    created_at: str
    schedule: dict | None
    attribution: dict
    order_id: str | None
    cart_token: str | None = None  # only in the answer that creates a guest cart


@dataclass
class CartRow:
    """A line of the staff's cart lists."""

    id: str
    customer: dict | None
    updated_at: str
    lines: list[PricedLine]
    quantity: int
    value: int
    coupon: str | None
    attribution: dict


@dataclass
class CheckoutLink:
    """A checkout link as staff get it: the URL to send, its token, its expiry."""

    url: str
    token: str
    expires_at: str


@dataclass
class OpenedLink:
    """What the customer gets on opening a checkout link: a customer token, the cart and their details."""

    customer_token: str
    cart: CartView
    customer: dict
    billing_address: dict | None
    shipping_address: dict | None


def touched(cart: Cart, **changes) -> Cart:
    return dataclasses.replace(cart, updated_at=utc_now(), **changes)


def with_quantity(cart: Cart, sku: str, quantity: int, add: bool) -> Cart:
    """The cart with `sku` at `quantity` (or that much more when `add`); 1..999 per line."""
    current = next((line.quantity for line in cart.lines if line.sku == sku), 0)
    wanted = current + quantity if add else quantity
    if not 1 <= wanted <= MAX_QUANTITY:
        raise InvalidInput(f"A line holds 1 to {MAX_QUANTITY} items.", [{"field": "quantity", "message": f"{wanted} for {sku}"}])
    lines = [CartLine(line.sku, wanted) if line.sku == sku else line for line in cart.lines]
    if current == 0:
        if len(lines) >= MAX_LINES:
            raise InvalidInput(f"A cart holds at most {MAX_LINES} lines.", [{"field": "sku"}])
        lines.append(CartLine(sku, wanted))
    return touched(cart, lines=lines)


def without(cart: Cart, sku: str) -> Cart:
    return touched(cart, lines=[line for line in cart.lines if line.sku != sku])


def merged(into: Cart, guest: Cart) -> Cart:
    """The customer's cart with the guest cart's lines added (quantities summed, capped at 999)."""
    quantities = {line.sku: line.quantity for line in into.lines}
    for line in guest.lines:
        quantities[line.sku] = min(MAX_QUANTITY, quantities.get(line.sku, 0) + line.quantity)
    return touched(into, lines=[CartLine(sku, q) for sku, q in quantities.items()][:MAX_LINES],
                   coupon=into.coupon or guest.coupon)


def unavailable(cart: Cart, catalogue: dict[str, Product]) -> list[str]:
    """Skus of the cart that are not sold (any more)."""
    return [line.sku for line in cart.lines
            if line.sku not in catalogue or catalogue[line.sku].status != ProductStatus.ACTIVE]


def priced_lines(cart: Cart, catalogue: dict[str, Product]) -> list[PricedLine]:
    """Lines at today's prices; a product gone from the catalogue is shown at 0 (checkout refuses it)."""
    lines = []
    for line in cart.lines:
        product = catalogue.get(line.sku)
        price = product.price if product else 0
        lines.append(PricedLine(line.sku, product.name if product else line.sku, line.quantity, price, price * line.quantity))
    return lines


def group_discount(subtotal: int, percent: int) -> int:
    return subtotal * percent // 100


def view(cart: Cart, lines: list[PricedLine], discount: int, cart_token: str | None = None) -> CartView:
    subtotal = sum(line.total for line in lines)
    return CartView(id=cart.id, customer_id=cart.customer_id, state=cart.state, lines=lines, coupon=cart.coupon,
                    subtotal=subtotal, discount=discount, total=subtotal - discount, quantity=cart.quantity,
                    updated_at=cart.updated_at, created_at=cart.created_at, schedule=cart.schedule,
                    attribution=cart.attribution, order_id=cart.order_id, cart_token=cart_token)

