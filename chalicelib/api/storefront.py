"""Storefront: accounts (/store/customers, /store/login, /store/me)."""
from chalice import Blueprint
from pydantic import BaseModel

from chalicelib.api.routing import CUSTOMER, PUBLIC, route
from chalicelib.domain.customers import Credentials, Customer, ProfileChanges, Registration
from chalicelib.services import customers
from chalicelib.settings import get_settings

bp = Blueprint(__name__)


class TokenOut(BaseModel):
    token: str


@route(bp, "/customers", "POST", access=PUBLIC, body=Registration, response=Customer, status=201,
       summary="Register an account")
def register(body: Registration):
    return customers.register(body)


@route(bp, "/login", "POST", access=PUBLIC, body=Credentials, response=TokenOut, summary="Log in: a customer token")
def log_in(body: Credentials):
    return TokenOut(token=customers.log_in(body.email, body.password, get_settings()))


def _as_seen_by_shopper(customer: Customer) -> dict:
    """Staff-only fields (the internal comment) never reach the storefront."""
    return customer.model_dump(mode="json", exclude={"comment"})


@route(bp, "/me", "GET", access=CUSTOMER, response=Customer, summary="My own record")
def get_me(principal):
    return _as_seen_by_shopper(customers.own_profile(principal))


@route(bp, "/me", "PATCH", access=CUSTOMER, body=ProfileChanges, response=Customer, summary="Change my own record")
def update_me(principal, body: ProfileChanges):
    return _as_seen_by_shopper(customers.update_own_profile(principal, body))
