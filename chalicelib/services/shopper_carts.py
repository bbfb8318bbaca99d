"""Shoppers' carts: a customer's (one open cart each) or a guest's, reached with its own token; a
guest cart brought to login becomes the customer's."""
import hashlib
import hmac
import secrets

from chalicelib.domain import carts as domain
from chalicelib.domain.carts import Cart, CartState, CartView
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.tokens import Principal
from chalicelib.services import customers
from chalicelib.services.cart_lines import RETRIES
from chalicelib.services.cart_pricing import view_of
from chalicelib.store import carts as repo


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def shopper_cart(cart_id: str, principal: Principal | None, cart_token: str | None) -> Cart:
    """The cart, if the caller holds it: the customer's token for a customer cart, the cart's own
    token for a guest cart. Anyone else is told there is no such cart."""
    cart = repo.get(cart_id)
    mine = cart is not None and (
        (cart.customer_id is not None and principal is not None and principal.subject == cart.customer_id)
        or (cart.customer_id is None and cart_token is not None and cart.token_hash is not None
            and hmac.compare_digest(_hash(cart_token), cart.token_hash)))
    if cart is None or not mine:
        raise NotFound("No cart with this id.")
    return cart


def create_cart(principal: Principal | None, attribution: dict, ip: str | None) -> CartView:
    """A customer's cart (their open one if they have it), or a guest cart reached with its token."""
    now = utc_now()
    if principal is not None:
        customer = customers.get_customer(principal.subject)
        existing = repo.open_cart_of(customer.id)
        if existing is not None:
            return view_of(existing)
        return view_of(repo.create(Cart(id=new_id(), state=CartState.OPEN, customer_id=customer.id, attribution=attribution,
                                         ip=ip, created_at=now, updated_at=now)))
    token = secrets.token_urlsafe(32)
    cart = repo.create(Cart(id=new_id(), state=CartState.OPEN, token_hash=_hash(token), attribution=attribution, ip=ip,
                            created_at=now, updated_at=now))
    return view_of(cart, cart_token=token)


def claim_guest_cart(customer_id: str, cart_id: str, cart_token: str) -> None:
    """At login: the guest cart becomes the customer's, or its lines join the customer's open cart.
    A cart that is not (or no longer) a guest's open cart is left alone: the login goes on."""
    for attempt in range(RETRIES):
        try:
            guest = shopper_cart(cart_id, None, cart_token)
        except NotFound:
            return
        if guest.state != CartState.OPEN:
            return
        mine = repo.open_cart_of(customer_id)
        try:
            if mine is None:
                repo.save(domain.touched(guest, customer_id=customer_id, token_hash=None))
            else:
                repo.save_both(domain.merged(mine, guest), domain.touched(guest, state=CartState.MERGED))
            return
        except Conflict:
            if attempt == RETRIES - 1:
                raise
