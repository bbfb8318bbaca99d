"""Storefront carts (/store/carts) and checkout links (/store/checkout-links). A guest cart is
reached with its `X-Cart-Token` header, a customer's cart with the customer's token."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import CART_HOLDER, PUBLIC, SHOPPER, route
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.cart_inputs import CartItemInput, Checkout, CouponInput, NewCart, QuantityInput
    from chalicelib.domain.carts import Cart

bp = Blueprint(__name__)
VIEWS = "chalicelib.domain.shopper_views"
INPUTS = "chalicelib.domain.cart_inputs"


def _header(name: str) -> str | None:
    return bp.current_request.headers.get(name) or None


def _source_ip() -> str | None:
    return (bp.current_request.context or {}).get("identity", {}).get("sourceIp")


def _cart_token() -> str | None:
    return _header("x-cart-token") or _header("cart-token")


def _loader(cart_id: str, principal: Principal | None) -> Callable[[], Cart]:
    from chalicelib.services import shopper_carts

    token = _cart_token()
    return lambda: shopper_carts.shopper_cart(cart_id, principal, token)


# Every route answers with a shopper's view (domain.shopper_views): only the fields it names are sent.


@route(bp, "/carts", "POST", access=SHOPPER, body=f"{INPUTS}:NewCart", response=f"{VIEWS}:ShopperCart", status=201,
       summary="A new cart: the customer's (their open one if any) or a guest's, with its cart_token")
def create_cart(principal: Principal | None, body: NewCart):
    from chalicelib.services import shopper_carts

    return shopper_carts.create_cart(principal, body.attribution.model_dump(exclude_none=True), _source_ip())


@route(bp, "/carts/{cart_id}", "GET", access=CART_HOLDER, response=f"{VIEWS}:ShopperCart", summary="A cart at today's prices")
def get_cart(principal: Principal | None, cart_id: str):
    from chalicelib.services import cart_pricing

    return cart_pricing.view_of(_loader(cart_id, principal)())


@route(bp, "/carts/{cart_id}/coupon", "POST", access=CART_HOLDER, body=f"{INPUTS}:CouponInput", response=f"{VIEWS}:ShopperCart",
       summary="Apply a coupon or voucher code (422 with the reason if it cannot be used)")
def apply_coupon(principal: Principal | None, cart_id: str, body: CouponInput):
    from chalicelib.services import cart_lines

    return cart_lines.apply_coupon(_loader(cart_id, principal), body.code)


@route(bp, "/carts/{cart_id}/coupon", "DELETE", access=CART_HOLDER, response=f"{VIEWS}:ShopperCart", summary="Remove the coupon")
def remove_coupon(principal: Principal | None, cart_id: str):
    from chalicelib.services import cart_lines

    return cart_lines.apply_coupon(_loader(cart_id, principal), None)


@route(bp, "/carts/{cart_id}/items", "POST", access=CART_HOLDER, body=f"{INPUTS}:CartItemInput", response=f"{VIEWS}:ShopperCart",
       summary="Add a product (quantities add up)")
def add_item(principal: Principal | None, cart_id: str, body: CartItemInput):
    from chalicelib.services import cart_lines

    return cart_lines.add_item(_loader(cart_id, principal), body.sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "PATCH", access=CART_HOLDER, body=f"{INPUTS}:QuantityInput",
       response=f"{VIEWS}:ShopperCart",
       summary="Set a line's quantity")
def set_quantity(principal: Principal | None, cart_id: str, sku: str, body: QuantityInput):
    from chalicelib.services import cart_lines

    return cart_lines.set_quantity(_loader(cart_id, principal), sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "DELETE", access=CART_HOLDER, response=f"{VIEWS}:ShopperCart", summary="Remove a line")
def remove_item(principal: Principal | None, cart_id: str, sku: str):
    from chalicelib.services import cart_lines

    return cart_lines.remove_item(_loader(cart_id, principal), sku)


@route(bp, "/carts/{cart_id}/checkout", "POST", access=CART_HOLDER, body=f"{INPUTS}:Checkout",
       response=f"{VIEWS}:ShopperOrder", status=201,
       summary="Place the cart's order (Idempotency-Key: a retry returns the same order)")
def checkout(principal: Principal | None, cart_id: str, body: Checkout):
    from chalicelib.services import checkout as checkout_service

    return checkout_service.checkout(cart_id, principal, _cart_token(), body)


@route(bp, "/checkout-links/{token}", "GET", access=PUBLIC, response=f"{VIEWS}:ShopperCheckoutLink", statuses=(410,),
       summary="Open a checkout link: a customer token, the cart and the customer's saved details")
def open_checkout_link(token: str):
    from chalicelib.services import checkout_links

    return checkout_links.open_checkout_link(token, _source_ip())
