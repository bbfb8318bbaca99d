"""A cart at today's prices: the catalogue's prices, the customer group's discount, then the coupon's
on what is left. Used wherever a cart is shown, mailed or checked out."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from chalicelib.domain import carts as domain
from chalicelib.domain.carts import Cart, CartView
from chalicelib.domain.coupons import Coupon, customer_key
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.products import Product
from chalicelib.services import coupons
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo


def _group_percent(customer: Customer | None) -> int:
    from chalicelib.services import configuration

    if customer is None:
        return 0
    return next((g.discount_percent for g in configuration.list_groups() if g.id == customer.group_id), 0)


@dataclass
class Pricing:
    lines: list[domain.PricedLine]
    subtotal: int
    group_discount: int
    coupon: Coupon | None  # the coupon that applies, if any
    coupon_discount: int

    @property
    def discount(self) -> int:
        return self.group_discount + self.coupon_discount


def pricing(cart: Cart, customer: Customer | None, email: str | None = None, strict: bool = False,
            catalogue: dict[str, Product] | None = None) -> Pricing:
    """Today's prices, the group's discount, then the coupon's on what is left. `strict`: a coupon that
    no longer applies is a 422 (checkout); otherwise it just gives nothing (showing the cart).
    `catalogue`: the cart's products, when the caller read them already."""
    if catalogue is None:
        catalogue = product_repo.get_many([line.sku for line in cart.lines])
    lines = domain.priced_lines(cart, catalogue)
    subtotal = sum(line.total for line in lines)
    group = domain.group_discount(subtotal, _group_percent(customer))
    coupon, coupon_discount = None, 0
    if cart.coupon:
        try:
            coupon, coupon_discount = coupons.check(cart.coupon, subtotal - group, coupon_user(cart, email))
        except InvalidInput:
            if strict:
                raise
    return Pricing(lines, subtotal, group, coupon, coupon_discount)


def coupon_user(cart: Cart, email: str | None) -> str | None:
    """Whom a coupon's per-customer limit counts for this cart (None: a guest who gave no email yet)."""
    return customer_key(cart.customer_id, email) if cart.customer_id or email else None


def view_of(cart: Cart, cart_token: str | None = None) -> CartView:
    customer = customer_repo.get(cart.customer_id) if cart.customer_id else None
    priced = pricing(cart, customer)
    return domain.view(cart, priced.lines, priced.discount, cart_token)


def checked_code(cart: Cart, code: str) -> str:
    """The code, normalised, if it can be used on this cart now (422 with the reason otherwise)."""
    catalogue = product_repo.get_many([line.sku for line in cart.lines])
    subtotal = sum(line.total for line in domain.priced_lines(cart, catalogue))
    coupon, _ = coupons.check(code, subtotal, coupon_user(cart, None))
    return coupon.code


def mail_view(cart: Cart, catalogue: dict | None = None, currency: str | None = None) -> dict:
    """The cart as an email shows it (catalogue and currency given when mailing many carts)."""
    from chalicelib.services import configuration

    catalogue = catalogue if catalogue is not None else product_repo.get_many([line.sku for line in cart.lines])
    lines = domain.priced_lines(cart, catalogue)
    return {"id": cart.id, "lines": [dataclasses.asdict(line) for line in lines], "total": sum(x.total for x in lines),
            "currency": currency or configuration.store_settings().currency}
