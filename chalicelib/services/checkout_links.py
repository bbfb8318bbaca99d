"""Checkout links: staff send a customer a signed, expiring link to their prepared cart; opening it
logs the customer in and shows the cart with their saved details. The token names a stored link
(revocable, tied to its cart)."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.domain import clock
from chalicelib.domain import customers as customer_domain
from chalicelib.domain.carts import CartState, CheckoutLink, OpenedLink
from chalicelib.domain.clock import iso
from chalicelib.domain.errors import Conflict, Forbidden, Gone, InvalidInput
from chalicelib.domain.ids import new_id
from chalicelib.domain.mail import queue_mail
from chalicelib.domain.tokens import issue_checkout_link_token, issue_customer_token, read_checkout_link_token
from chalicelib.services import customers
from chalicelib.services.cart_pricing import mail_view, view_of
from chalicelib.services.checkout import default_addresses
from chalicelib.services.staff_carts import get_cart
from chalicelib.settings import get_settings
from chalicelib.store import carts as repo

if TYPE_CHECKING:
    from chalicelib.domain.cart_inputs import CheckoutLinkRequest


def _link_secret() -> str:
    return hmac.new(get_settings().customer_token_secret.encode(), b"checkout-link", hashlib.sha256).hexdigest()


def create_checkout_link(cart_id: str, request: CheckoutLinkRequest, actor: str) -> CheckoutLink:
    cart = get_cart(cart_id)
    if cart.customer_id is None or cart.state != CartState.OPEN:
        raise Conflict("A checkout link is for an open cart of a customer.")
    if not cart.lines:
        raise InvalidInput("The cart is empty.", [{"field": "lines"}])
    expires = clock.now() + timedelta(hours=request.expires_in_hours)
    link_id = new_id()
    token = issue_checkout_link_token(link_id, cart.id, int(expires.timestamp()), _link_secret())
    url = f"{get_settings().storefront_url}/checkout-links/{token}"
    mail = None
    if request.send_email:
        customer = customers.get_customer(cart.customer_id)
        mail = queue_mail(customer.id, "checkout_link", link=url, expires_at=iso(expires),
                          customer={"first_name": customer.first_name, "last_name": customer.last_name},
                          cart=mail_view(cart))
    repo.create_link(link_id, cart.id, cart.customer_id, int(expires.timestamp()), actor, mail)
    return CheckoutLink(url=url, token=token, expires_at=iso(expires))


def open_checkout_link(token: str, ip: str | None) -> OpenedLink:
    """The customer arrives from the link: logged in, with the cart and their saved details."""
    claims = read_checkout_link_token(token, _link_secret())
    link = repo.get_link(claims["sub"])
    if link is None or link.cart_id != claims.get("cart"):
        raise Gone("This checkout link is no longer valid.")
    if link.expires_at <= clock.now().timestamp():
        raise Gone("This checkout link has expired; ask the shop for a new one.")
    cart = repo.get(link.cart_id)
    if cart is None or cart.state != CartState.OPEN:
        raise Gone("This checkout link was used already.")
    customer = customers.get_customer(link.customer_id)
    if not customer_domain.CustomerStatus.can_log_in(customer.status):
        raise Forbidden(f"This account is {customer.status}.")
    if ip:
        repo.set_ip(cart, ip)
    billing, shipping = default_addresses(customer)
    settings = get_settings()
    return OpenedLink(customer_token=issue_customer_token(customer.id, settings.customer_token_secret,
                                                          settings.customer_token_ttl_seconds),
                      cart=view_of(cart), billing_address=billing, shipping_address=shipping,
                      customer={"email": customer.email, "first_name": customer.first_name, "last_name": customer.last_name,
                                "phone": customer.phone})
