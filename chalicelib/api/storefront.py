"""Storefront: accounts (/store/customers, /store/login, /store/verify-email, /store/me...) and the
catalogue (/store/products)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import CUSTOMER, LIST_QUERY, PUBLIC, page_of, route
from chalicelib.domain.tokens import Principal
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.domain.addresses import AddressDraft
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.customer_inputs import Credentials, ProfileChanges, Registration, VerificationInput

bp = Blueprint(__name__)
VIEWS = "chalicelib.domain.shopper_views"
ADDRESSES = "chalicelib.domain.addresses"
CUSTOMER_INPUTS = "chalicelib.domain.customer_inputs"

# Every route answers with a shopper's view (domain.shopper_views): only the fields it names are sent.


@route(bp, "/customers", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:Registration",
       response=f"{VIEWS}:ShopperCustomer", status=201,
       summary="Register an account")
def register(body: Registration):
    from chalicelib.services import accounts

    return accounts.register(body, get_settings())


@route(bp, "/login", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:Credentials", response=f"{VIEWS}:ShopperToken",
       summary="Log in: a customer token")
def log_in(body: Credentials):
    from chalicelib.domain.shopper_views import ShopperToken
    from chalicelib.services import accounts

    return ShopperToken(token=accounts.log_in(body.email, body.password, get_settings(), body.cart_id, body.cart_token))


@route(bp, "/verify-email", "POST", access=PUBLIC, body=f"{CUSTOMER_INPUTS}:VerificationInput",
       response=f"{VIEWS}:ShopperCustomer",
       summary="Confirm an email with the token of the verification email")
def verify_email(body: VerificationInput):
    from chalicelib.services import accounts

    return accounts.verify_email(body.token)


@route(bp, "/me", "GET", access=CUSTOMER, response=f"{VIEWS}:ShopperCustomer", summary="My own record")
def get_me(principal: Principal):
    from chalicelib.services import accounts

    return accounts.own_profile(principal)


@route(bp, "/me", "PATCH", access=CUSTOMER, body=f"{CUSTOMER_INPUTS}:ProfileChanges", response=f"{VIEWS}:ShopperCustomer",
       summary="Change my own record")
def update_me(principal: Principal, body: ProfileChanges):
    from chalicelib.services import accounts

    return accounts.update_own_profile(principal, body)


@route(bp, "/me/orders", "GET", access=CUSTOMER, query=LIST_QUERY, response=page_of(f"{VIEWS}:ShopperOrder"),
       summary="My orders, newest first")
def my_orders(principal: Principal, query: ListQuery):
    from chalicelib.services import accounts

    return accounts.own_orders(principal, query.limit, query.next_token)


@route(bp, "/me/addresses", "GET", access=CUSTOMER, query=LIST_QUERY, response=page_of(f"{VIEWS}:ShopperAddress"),
       summary="My addresses, oldest first")
def my_addresses(principal: Principal, query: ListQuery):
    from chalicelib.services import accounts

    return accounts.own_addresses(principal, query.limit, query.next_token)


@route(bp, "/me/addresses", "POST", access=CUSTOMER, body=f"{ADDRESSES}:AddressDraft",
       response=f"{VIEWS}:ShopperAddress", status=201,
       summary="Add one of my addresses")
def add_my_address(principal: Principal, body: AddressDraft):
    from chalicelib.services import accounts

    return accounts.add_own_address(principal, body)


@route(bp, "/products", "GET", access=PUBLIC, query=LIST_QUERY, response=page_of(f"{VIEWS}:ShopperProduct"),
       summary="The catalogue: active products, by name")
def list_products(query: ListQuery):
    from chalicelib.services import products

    return products.list_products(query.limit, query.next_token, active_only=True)


@route(bp, "/products/{sku}", "GET", access=PUBLIC, response=f"{VIEWS}:ShopperProduct", summary="An active product")
def get_product(sku: str):
    from chalicelib.services import products

    return products.get_product(sku, active_only=True)
