"""Admin: customer records (/admin/customers, /admin/leads)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.customer_inputs import CustomerChanges, CustomerDraft, CustomerQuery

bp = Blueprint(__name__)
CUSTOMERS = "chalicelib.domain.customers"
CUSTOMER_INPUTS = "chalicelib.domain.customer_inputs"
EDITORS = staff("admin", "agent")


@route(bp, "/customers", "GET", access=ANY_STAFF, query=f"{CUSTOMER_INPUTS}:CustomerQuery",
       response=page_of(f"{CUSTOMERS}:Customer"),
       summary="List and search customers: last order first, then last name; no orders last")
def list_customers(principal: Principal, query: CustomerQuery):
    from chalicelib.services import customers

    return customers.list_customers(query)


@route(bp, "/customers", "POST", access=EDITORS, body=f"{CUSTOMER_INPUTS}:CustomerDraft",
       response=f"{CUSTOMERS}:Customer", status=201,
       summary="Create a customer by hand")
def create_customer(principal: Principal, body: CustomerDraft):
    from chalicelib.services import customers

    return customers.create_customer(body, actor=principal.actor)


@route(bp, "/customers/{customer_id}", "GET", access=ANY_STAFF, response=f"{CUSTOMERS}:Customer",
       summary="A customer with stats and last 3 orders")
def get_customer(principal: Principal, customer_id: str):
    from chalicelib.services import customers

    return customers.get_customer(customer_id)


@route(bp, "/customers/{customer_id}", "PATCH", access=EDITORS, body=f"{CUSTOMER_INPUTS}:CustomerChanges",
       response=f"{CUSTOMERS}:Customer",
       summary="Change some fields of a customer")
def update_customer(principal: Principal, customer_id: str, body: CustomerChanges):
    from chalicelib.services import customers

    return customers.update_customer(customer_id, body, actor=principal.actor)


@route(bp, "/customers/{customer_id}", "DELETE", access=staff("admin"), status=204,
       summary="Delete a customer: personal data goes, orders and invoices stay anonymised")
def delete_customer(principal: Principal, customer_id: str):
    from chalicelib.services import customers

    customers.delete_customer(customer_id)


@route(bp, "/leads", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{CUSTOMERS}:Customer"),
       summary="Registered customers who never purchased")
def list_leads(principal: Principal, query: ListQuery):
    from chalicelib.services import customers

    return customers.list_leads(query.limit, query.next_token)
