"""Storefront: accounts (/store/customers, /store/login, /store/verify-email, /store/me...) and the
catalogue (/store/products)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import CUSTOMER, LIST_QUERY, PUBLIC, page_of, route, to_json
from chalicelib.domain.customers import Customer
from chalicelib.domain.orders import Order
from chalicelib.domain.pages import Page
from chalicelib.domain.products import Product
from chalicelib.domain.tokens import Principal
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.domain.addresses import AddressDraft
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.customer_inputs import Credentials, ProfileChanges, Registration, VerificationInput

bp = Blueprint(__name__)
ADDRESSES = "chalicelib.domain.addresses"
CUSTOMER_INPUTS = "chalicelib.domain.customer_inputs"


@dataclass
class TokenOut:
    token: str


def _as_seen_by_shopper(customer: Customer) -> dict:
    """Staff-only fields (the internal comment) never reach the storefront."""
    return {k: v for k, v in to_json(customer).items() if k != "comment"}


@route(bp, "/customers", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:Registration", response=Customer, status=201,
       summary="Register an account")
def register(body: Registration):
    from chalicelib.services import accounts

    return _as_seen_by_shopper(accounts.register(body, get_settings()))


@route(bp, "/login", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:Credentials", response=TokenOut,
       summary="Log in: a customer token")
def log_in(body: Credentials):
    from chalicelib.services import accounts

    return TokenOut(token=accounts.log_in(body.email, body.password, get_settings(), body.cart_id, body.cart_token))


@route(bp, "/verify-email", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:VerificationInput", response=Customer,
       summary="Confirm an email with the token of the verification email")
def verify_email(body: VerificationInput):
    from chalicelib.services import accounts

    return _as_seen_by_shopper(accounts.verify_email(body.token))


@route(bp, "/me", "GET", access=CUSTOMER, response=Customer, summary="My own record")
def get_me(principal: Principal):
    from chalicelib.services import accounts

    return _as_seen_by_shopper(accounts.own_profile(principal))


@route(bp, "/me", "PATCH", access=CUSTOMER, body=f"{CUSTOMER_INPUTS}:ProfileChanges", response=Customer,
       summary="Change my own record")
def update_me(principal: Principal, body: ProfileChanges):
    from chalicelib.services import accounts

    return _as_seen_by_shopper(accounts.update_own_profile(principal, body))


@route(bp, "/me/orders", "GET", access=CUSTOMER, query=LIST_QUERY, response=list[Order], summary="My orders, newest first")
def my_orders(principal: Principal, query: ListQuery):
    from chalicelib.services import accounts

    page = accounts.own_orders(principal, query.limit, query.next_token)
    return Page(items=[_order_as_seen_by_shopper(o) for o in page.items], next_token=page.next_token)


def _order_as_seen_by_shopper(order: Order) -> dict:
    """Staff-only fields (attribution, flags for staff) never reach the storefront."""
    return {k: v for k, v in to_json(order).items() if k not in ("attribution", "flags")}


@route(bp, "/me/addresses", "GET", access=CUSTOMER, response=page_of(f"{ADDRESSES}:Address"), summary="My addresses")
def my_addresses(principal: Principal):
    from chalicelib.services import accounts

    return Page(items=accounts.own_addresses(principal), next_token=None)


@route(bp, "/me/addresses", "POST", access=CUSTOMER, body=f"{ADDRESSES}:AddressDraft", response=f"{ADDRESSES}:Address",
       status=201,
       summary="Add one of my addresses")
def add_my_address(principal: Principal, body: AddressDraft):
    from chalicelib.services import accounts

    return accounts.add_own_address(principal, body)


@route(bp, "/products", "GET", access=PUBLIC, query=LIST_QUERY, response=list[Product],
       summary="The catalogue: active products, by name")
def list_products(query: ListQuery):
    from chalicelib.services import products

    return products.list_products(query.limit, query.next_token, active_only=True)


@route(bp, "/products/{sku}", "GET", access=PUBLIC, response=Product, summary="An active product")
def get_product(sku: str):
    from chalicelib.services import products

    return products.get_product(sku, active_only=True)
