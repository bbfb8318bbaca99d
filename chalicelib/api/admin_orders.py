"""Admin: orders (/admin/orders), their status, lines, notes and timeline, and the ordered products."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.pages import page_in_memory
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.order_inputs import (
        LineChanges,
        LineInput,
        NoteInput,
        OrderChanges,
        OrderDraft,
        OrderedProductsQuery,
        OrderQuery,
        StatusChange,
    )

bp = Blueprint(__name__)
TIMELINE = "chalicelib.domain.timeline"
ORDERS = "chalicelib.domain.orders"
INPUTS = "chalicelib.domain.order_inputs"
# Money and status: admins and agents. Support staff read orders and add notes.
EDITORS = staff("admin", "agent")


@route(bp, "/orders", "GET", access=ANY_STAFF, query=f"{INPUTS}:OrderQuery", response=f"{ORDERS}:OrderList",
       summary="Orders, newest first, with filters and the unprocessed count")
def list_orders(principal: Principal, query: OrderQuery):
    from chalicelib.services import orders

    return orders.list_orders(query)


@route(bp, "/orders", "POST", access=EDITORS, body=f"{INPUTS}:OrderDraft", response=f"{ORDERS}:Order", status=201,
       summary="Place an order for a customer or a guest (e.g. taken on the phone); admins may give placed_at")
def create_order(principal: Principal, body: OrderDraft):
    from chalicelib.services import orders

    return orders.create_manual_order(body, principal.actor, may_backdate=principal.role == "admin")


@route(bp, "/orders/{order_id}", "GET", access=ANY_STAFF, response=f"{ORDERS}:Order", summary="An order")
def get_order(principal: Principal, order_id: str):
    from chalicelib.services import orders

    return orders.get_order(order_id)


@route(bp, "/orders/{order_id}", "PATCH", access=EDITORS, body=f"{INPUTS}:OrderChanges", response=f"{ORDERS}:Order",
       summary="Change addresses, delivery, shipping fee or discount of an order not shipped")
def change_order(principal: Principal, order_id: str, body: OrderChanges):
    from chalicelib.services import orders

    return orders.change_order(order_id, body, principal.actor)


@route(bp, "/orders/{order_id}", "DELETE", access=staff("admin"), status=204,
       summary="Delete a test order or a never-paid cancelled order")
def delete_order(principal: Principal, order_id: str):
    from chalicelib.services import orders

    orders.delete_order(order_id)


@route(bp, "/orders/{order_id}/status", "POST", access=EDITORS, body=f"{INPUTS}:StatusChange", response=f"{ORDERS}:Order",
       summary="Move the order, payment or fulfilment status (the name says which)")
def change_status(principal: Principal, order_id: str, body: StatusChange):
    from chalicelib.services import orders

    return orders.change_status(order_id, body.status, principal.actor)


@route(bp, "/orders/{order_id}/items", "POST", access=EDITORS, body=f"{INPUTS}:LineInput", response=f"{ORDERS}:Order", status=201,
       summary="Add a line")
def add_line(principal: Principal, order_id: str, body: LineInput):
    from chalicelib.services import orders

    return orders.add_line(order_id, body, principal.actor)


@route(bp, "/orders/{order_id}/items/{sku}", "PATCH", access=EDITORS, body=f"{INPUTS}:LineChanges", response=f"{ORDERS}:Order",
       summary="Change a line's quantity, price or discount")
def change_line(principal: Principal, order_id: str, sku: str, body: LineChanges):
    from chalicelib.services import orders

    return orders.change_line(order_id, sku, body, principal.actor)


@route(bp, "/orders/{order_id}/items/{sku}", "DELETE", access=EDITORS, response=f"{ORDERS}:Order", summary="Remove a line")
def remove_line(principal: Principal, order_id: str, sku: str):
    from chalicelib.services import orders

    return orders.remove_line(order_id, sku, principal.actor)


@route(bp, "/orders/{order_id}/timeline", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=page_of(f"{TIMELINE}:TimelineEvent"),
       summary="What happened to an order, newest first")
def order_timeline(principal: Principal, order_id: str, query: ListQuery):
    from chalicelib.services import orders

    return orders.order_timeline(order_id, query.limit, query.next_token)


@route(bp, "/orders/{order_id}/notes", "POST", access=ANY_STAFF, body=f"{INPUTS}:NoteInput", response=f"{TIMELINE}:TimelineEvent",
       status=201, summary="Add a note to the order's timeline")
def add_note(principal: Principal, order_id: str, body: NoteInput):
    from chalicelib.services import orders

    return orders.add_note(order_id, body.text, principal.actor)


@route(bp, "/ordered-products", "GET", access=ANY_STAFF, query=f"{INPUTS}:OrderedProductsQuery",
       response=page_of(f"{ORDERS}:OrderedProduct"),
       summary="Per sku: quantity sold, revenue, orders, cheapest supplier (default: the last 30 days), by revenue")
def ordered_products(principal: Principal, query: OrderedProductsQuery):
    from chalicelib.services import orders

    return page_in_memory(orders.ordered_products(query.from_, query.to), query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/orders", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{ORDERS}:Order"),
       summary="A customer's orders, newest first")
def customer_orders(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import orders

    return orders.customer_orders(customer_id, query.limit, query.next_token)
