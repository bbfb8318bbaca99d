"""Admin: carts (/admin/carts): open and abandoned lists, agent-prepared carts, checkout links and
checkout in the customer's persona."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.cart_inputs import (
        CartChanges,
        CartItemInput,
        CartQuery,
        CheckoutLinkRequest,
        QuantityInput,
        StaffCheckout,
    )
    from chalicelib.domain.carts import Cart

bp = Blueprint(__name__)
ORDERS = "chalicelib.domain.orders"
CARTS = "chalicelib.domain.carts"
INPUTS = "chalicelib.domain.cart_inputs"
EDITORS = staff("admin", "agent")


def _loader(cart_id: str) -> Callable[[], Cart]:
    from chalicelib.services import staff_carts

    return lambda: staff_carts.get_cart(cart_id)


@route(bp, "/carts", "GET", access=ANY_STAFF, query=f"{INPUTS}:CartQuery", response=page_of(f"{CARTS}:CartRow"),
       summary="Open carts (newest activity first) or abandoned ones (idle longer than the reminder delay)")
def list_carts(principal: Principal, query: CartQuery):
    from chalicelib.services import staff_carts

    return staff_carts.list_carts(query.state, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/carts", "POST", access=EDITORS, response=f"{CARTS}:CartView", status=201,
       summary="Open a cart for a customer (their open cart if they have one)")
def open_cart(principal: Principal, customer_id: str):
    from chalicelib.services import staff_carts

    return staff_carts.open_cart_for_customer(customer_id, principal.actor)


@route(bp, "/customers/{customer_id}/carts", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{CARTS}:CartView"),
       summary="A customer's carts, open and closed, newest first")
def customer_carts(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import staff_carts

    return staff_carts.customer_carts(customer_id, query.limit, query.next_token)


@route(bp, "/carts/{cart_id}", "GET", access=ANY_STAFF, response=f"{CARTS}:CartView", summary="A cart")
def get_cart(principal: Principal, cart_id: str):
    from chalicelib.services import cart_pricing, staff_carts

    return cart_pricing.view_of(staff_carts.get_cart(cart_id))


@route(bp, "/carts/{cart_id}", "PATCH", access=EDITORS, body=f"{INPUTS}:CartChanges", response=f"{CARTS}:CartView",
       summary="Coupon, schedule (once or recurring) and attribution")
def change_cart(principal: Principal, cart_id: str, body: CartChanges):
    from chalicelib.services import staff_carts

    return staff_carts.change_cart(_loader(cart_id), body)


@route(bp, "/carts/{cart_id}/items", "POST", access=EDITORS, body=f"{INPUTS}:CartItemInput", response=f"{CARTS}:CartView",
       summary="Add a product")
def add_item(principal: Principal, cart_id: str, body: CartItemInput):
    from chalicelib.services import cart_lines

    return cart_lines.add_item(_loader(cart_id), body.sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "PATCH", access=EDITORS, body=f"{INPUTS}:QuantityInput", response=f"{CARTS}:CartView",
       summary="Set a line's quantity")
def set_quantity(principal: Principal, cart_id: str, sku: str, body: QuantityInput):
    from chalicelib.services import cart_lines

    return cart_lines.set_quantity(_loader(cart_id), sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "DELETE", access=EDITORS, response=f"{CARTS}:CartView", summary="Remove a line")
def remove_item(principal: Principal, cart_id: str, sku: str):
    from chalicelib.services import cart_lines

    return cart_lines.remove_item(_loader(cart_id), sku)


@route(bp, "/carts/{cart_id}/checkout-link", "POST", access=EDITORS, body=f"{INPUTS}:CheckoutLinkRequest",
       response=f"{CARTS}:CheckoutLink", status=201,
       summary="A signed, expiring link that logs the customer in to check the cart out (optionally emailed)")
def checkout_link(principal: Principal, cart_id: str, body: CheckoutLinkRequest):
    from chalicelib.services import checkout_links

    return checkout_links.create_checkout_link(cart_id, body, principal.actor)


@route(bp, "/carts/{cart_id}/checkout", "POST", access=EDITORS, body=f"{INPUTS}:StaffCheckout",
       response=f"{ORDERS}:Order", status=201,
       summary="Check out now, in the customer's persona (not for card or PayPal: send a link)")
def checkout(principal: Principal, cart_id: str, body: StaffCheckout):
    from chalicelib.services import checkout as checkout_service

    return checkout_service.staff_checkout(cart_id, body, principal.actor)
