"""Storefront: accounts (/store/customers, /store/login, /store/verify-email, /store/me...)."""
from chalice import Blueprint
from typing import Annotated

from pydantic import StringConstraints

from chalicelib.api.routing import CUSTOMER, PUBLIC, route
from chalicelib.domain.base import Input, Record
from chalicelib.domain.addresses import Address, AddressDraft
from chalicelib.domain.customers import Credentials, Customer, ProfileChanges, Registration
from chalicelib.services import accounts
from chalicelib.settings import get_settings
from chalicelib.store.pagination import Page

bp = Blueprint(__name__)


class TokenOut(Record):
    token: str


class VerificationInput(Input):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


def _as_seen_by_shopper(customer: Customer) -> dict:
    """Staff-only fields (the internal comment) never reach the storefront."""
    return customer.model_dump(mode="json", exclude={"comment"})


@route(bp, "/customers", "POST", access=PUBLIC, body=Registration, response=Customer, status=201,
       summary="Register an account")
def register(body: Registration):
    return _as_seen_by_shopper(accounts.register(body, get_settings()))


@route(bp, "/login", "POST", access=PUBLIC, body=Credentials, response=TokenOut, summary="Log in: a customer token")
def log_in(body: Credentials):
    return TokenOut(token=accounts.log_in(body.email, body.password, get_settings()))


@route(bp, "/verify-email", "POST", access=PUBLIC, body=VerificationInput, response=Customer,
       summary="Confirm an email with the token of the verification email")
def verify_email(body: VerificationInput):
    return _as_seen_by_shopper(accounts.verify_email(body.token))


@route(bp, "/me", "GET", access=CUSTOMER, response=Customer, summary="My own record")
def get_me(principal):
    return _as_seen_by_shopper(accounts.own_profile(principal))


@route(bp, "/me", "PATCH", access=CUSTOMER, body=ProfileChanges, response=Customer, summary="Change my own record")
def update_me(principal, body: ProfileChanges):
    return _as_seen_by_shopper(accounts.update_own_profile(principal, body))


@route(bp, "/me/addresses", "GET", access=CUSTOMER, response=list[Address], summary="My addresses")
def my_addresses(principal):
    return Page(items=accounts.own_addresses(principal), next_token=None)


@route(bp, "/me/addresses", "POST", access=CUSTOMER, body=AddressDraft, response=Address, status=201,
       summary="Add one of my addresses")
def add_my_address(principal, body: AddressDraft):
    return accounts.add_own_address(principal, body)
