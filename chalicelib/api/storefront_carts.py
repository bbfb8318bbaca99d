"""Storefront carts (/store/carts) and checkout links (/store/checkout-links). A guest cart is
reached with its `Cart-Token` header, a customer's cart with the customer's token."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import PUBLIC, SHOPPER, route, to_json
from chalicelib.domain.carts import CartView
from chalicelib.domain.orders import Order
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
carts = lazy_import("chalicelib.services.carts")
INPUTS = "chalicelib.domain.cart_inputs"


def _header(name: str) -> str | None:
    return bp.current_request.headers.get(name) or None


def _source_ip() -> str | None:
    return (bp.current_request.context or {}).get("identity", {}).get("sourceIp")


def _loader(cart_id: str, principal):
    token = _header("cart-token")
    return lambda: carts.shopper_cart(cart_id, principal, token)


@route(bp, "/carts", "POST", access=SHOPPER, body=f"{INPUTS}:NewCart", response=CartView, status=201,
       summary="A new cart: the customer's (their open one if any) or a guest's, with its cart_token")
def create_cart(principal, body):
    return carts.create_cart(principal, body.attribution.model_dump(exclude_none=True), _source_ip())


@route(bp, "/carts/{cart_id}", "GET", access=SHOPPER, response=CartView, summary="A cart at today's prices")
def get_cart(principal, cart_id: str):
    return carts.view_of(_loader(cart_id, principal)())


@route(bp, "/carts/{cart_id}", "PATCH", access=SHOPPER, body=f"{INPUTS}:ShopperCartChanges", response=CartView,
       summary="Apply or remove a coupon")
def change_cart(principal, cart_id: str, body):
    return carts.change_cart(_loader(cart_id, principal), body, staff=False)


@route(bp, "/carts/{cart_id}/items", "POST", access=SHOPPER, body=f"{INPUTS}:CartItemInput", response=CartView,
       summary="Add a product (quantities add up)")
def add_item(principal, cart_id: str, body):
    return carts.add_item(_loader(cart_id, principal), body.sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "PATCH", access=SHOPPER, body=f"{INPUTS}:QuantityInput", response=CartView,
       summary="Set a line's quantity")
def set_quantity(principal, cart_id: str, sku: str, body):
    return carts.set_quantity(_loader(cart_id, principal), sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "DELETE", access=SHOPPER, response=CartView, summary="Remove a line")
def remove_item(principal, cart_id: str, sku: str):
    return carts.remove_item(_loader(cart_id, principal), sku)


@route(bp, "/carts/{cart_id}/checkout", "POST", access=SHOPPER, body=f"{INPUTS}:Checkout", response=Order, status=201,
       summary="Place the cart's order (Idempotency-Key: a retry returns the same order)")
def checkout(principal, cart_id: str, body):
    order = carts.checkout(cart_id, principal, _header("cart-token"), body, _header("idempotency-key"))
    return {k: v for k, v in to_json(order).items() if k not in ("attribution", "flags")}


@route(bp, "/checkout-links/{token}", "GET", access=PUBLIC, response="chalicelib.services.carts:OpenedLink",
       summary="Open a checkout link: a customer token, the cart and the customer's saved details")
def open_checkout_link(token: str):
    return carts.open_checkout_link(token, _source_ip())
