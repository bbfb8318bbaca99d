"""Admin: carts (/admin/carts): open and abandoned lists, agent-prepared carts, checkout links and
checkout in the customer's persona."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, route, staff
from chalicelib.domain.carts import CartView
from chalicelib.domain.orders import Order
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
carts = lazy_import("chalicelib.services.carts")
INPUTS = "chalicelib.domain.cart_inputs"
EDITORS = staff("admin", "agent")


def _loader(cart_id: str):
    return lambda: carts.get_cart(cart_id)


@route(bp, "/carts", "GET", access=ANY_STAFF, query=f"{INPUTS}:CartQuery", response=list["chalicelib.services.carts:CartRow"],
       summary="Open carts (newest activity first) or abandoned ones (idle longer than the reminder delay)")
def list_carts(principal, query):
    return carts.list_carts(query.state, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/carts", "POST", access=EDITORS, response=CartView, status=201,
       summary="Open a cart for a customer (their open cart if they have one)")
def open_cart(principal, customer_id: str):
    return carts.open_cart_for_customer(customer_id, principal.actor)


@route(bp, "/customers/{customer_id}/carts", "GET", access=ANY_STAFF, query=LIST_QUERY, response=list[CartView],
       summary="A customer's carts, open and closed, newest first")
def customer_carts(principal, customer_id: str, query):
    return carts.customer_carts(customer_id, query.limit, query.next_token)


@route(bp, "/carts/{cart_id}", "GET", access=ANY_STAFF, response=CartView, summary="A cart")
def get_cart(principal, cart_id: str):
    return carts.view_of(carts.get_cart(cart_id))


@route(bp, "/carts/{cart_id}", "PATCH", access=EDITORS, body=f"{INPUTS}:CartChanges", response=CartView,
       summary="Coupon, schedule (once or recurring) and attribution")
def change_cart(principal, cart_id: str, body):
    return carts.change_cart(_loader(cart_id), body)


@route(bp, "/carts/{cart_id}/items", "POST", access=EDITORS, body=f"{INPUTS}:CartItemInput", response=CartView,
       summary="Add a product")
def add_item(principal, cart_id: str, body):
    return carts.add_item(_loader(cart_id), body.sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "PATCH", access=EDITORS, body=f"{INPUTS}:QuantityInput", response=CartView,
       summary="Set a line's quantity")
def set_quantity(principal, cart_id: str, sku: str, body):
    return carts.set_quantity(_loader(cart_id), sku, body.quantity)


@route(bp, "/carts/{cart_id}/items/{sku}", "DELETE", access=EDITORS, response=CartView, summary="Remove a line")
def remove_item(principal, cart_id: str, sku: str):
    return carts.remove_item(_loader(cart_id), sku)


@route(bp, "/carts/{cart_id}/checkout-link", "POST", access=EDITORS, body=f"{INPUTS}:CheckoutLinkRequest",
       response="chalicelib.services.carts:CheckoutLink", status=201,
       summary="A signed, expiring link that logs the customer in to check the cart out (optionally emailed)")
def checkout_link(principal, cart_id: str, body):
    return carts.create_checkout_link(cart_id, body, principal.actor)


@route(bp, "/carts/{cart_id}/checkout", "POST", access=EDITORS, body=f"{INPUTS}:StaffCheckout", response=Order, status=201,
       summary="Check out now, in the customer's persona (not for card or PayPal: send a link)")
def checkout(principal, cart_id: str, body):
    return carts.staff_checkout(cart_id, body, principal.actor)
