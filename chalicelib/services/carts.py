"""Carts for shoppers and staff: lines, coupon, checkout into an order, checkout links, reminders.

A cart change is read, changed and saved under its version; on a concurrent change the whole step
is redone on a fresh read, so concurrent adds never lose a line. Checkout writes the order, the
cart's closing, the coupon's use and a subscription in ONE transaction."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import random
import secrets
import time
from datetime import timedelta
from typing import Callable

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain import carts as domain
from chalicelib.domain import clock
from chalicelib.domain import customers as customer_domain
from chalicelib.domain import orders as order_domain
from chalicelib.domain.carts import Cart, CartState, CartView
from chalicelib.domain.coupons import customer_key
from chalicelib.domain.customers import Customer, iso, utc_now
from chalicelib.domain.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.mail import queue_mail
from chalicelib.domain.orders import Discount, Order, OrderCustomer, OrderLine
from chalicelib.domain.tokens import Principal, issue_checkout_link_token, issue_customer_token, read_checkout_link_token
from chalicelib.lazy import lazy_import
from chalicelib.settings import get_settings
from chalicelib.store import carts as repo
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo
from chalicelib.store.pagination import Page

configuration = lazy_import("chalicelib.services.configuration")
customers = lazy_import("chalicelib.services.customers")
customer_tabs = lazy_import("chalicelib.services.customer_tabs")
orders = lazy_import("chalicelib.services.orders")
order_repo = lazy_import("chalicelib.store.orders")
coupons = lazy_import("chalicelib.services.coupons")
coupon_repo = lazy_import("chalicelib.store.coupons")
subscriptions = lazy_import("chalicelib.services.subscriptions")
subscription_repo = lazy_import("chalicelib.store.subscriptions")
inputs = lazy_import("chalicelib.domain.cart_inputs")

_RETRIES = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Reading and pricing

def _group_percent(customer: Customer | None) -> int:
    if customer is None:
        return 0
    return next((g.discount_percent for g in configuration.list_groups() if g.id == customer.group_id), 0)


@dataclasses.dataclass
class Pricing:
    lines: list[domain.PricedLine]
    subtotal: int
    group_discount: int
    coupon: object | None  # the coupon that applies, if any
    coupon_discount: int

    @property
    def discount(self) -> int:
        return self.group_discount + self.coupon_discount


def _pricing(cart: Cart, customer: Customer | None, email: str | None = None, strict: bool = False) -> Pricing:
    """Today's prices, the group's discount, then the coupon's on what is left. `strict`: a coupon that
    no longer applies is a 422 (checkout); otherwise it just gives nothing (showing the cart)."""
    lines = domain.priced_lines(cart, product_repo.get_many([line.sku for line in cart.lines]))
    subtotal = sum(line.total for line in lines)
    group = domain.group_discount(subtotal, _group_percent(customer))
    coupon, coupon_discount = None, 0
    if cart.coupon:
        try:
            coupon, coupon_discount = coupons.check(cart.coupon, subtotal - group, _coupon_user(cart, email))
        except InvalidInput:
            if strict:
                raise
    return Pricing(lines, subtotal, group, coupon, coupon_discount)


def _coupon_user(cart: Cart, email: str | None) -> str | None:
    """Whom a coupon's per-customer limit counts for this cart (None: a guest who gave no email yet)."""
    return customer_key(cart.customer_id, email) if cart.customer_id or email else None


def view_of(cart: Cart, cart_token: str | None = None) -> CartView:
    customer = customer_repo.get(cart.customer_id) if cart.customer_id else None
    pricing = _pricing(cart, customer)
    return domain.view(cart, pricing.lines, pricing.discount, cart_token)


def get_cart(cart_id: str) -> Cart:
    """A cart by id, for staff (shoppers go through shopper_cart)."""
    cart = repo.get(cart_id)
    if cart is None:
        raise NotFound("No cart with this id.")
    return cart


def shopper_cart(cart_id: str, principal: Principal | None, cart_token: str | None) -> Cart:
    """The cart, if the caller holds it: the customer's token for a customer cart, the cart's own
    token for a guest cart. Anyone else is told there is no such cart."""
    cart = repo.get(cart_id)
    mine = cart is not None and (
        (cart.customer_id is not None and principal is not None and principal.subject == cart.customer_id)
        or (cart.customer_id is None and cart_token is not None and cart.token_hash is not None
            and hmac.compare_digest(_hash(cart_token), cart.token_hash)))
    if not mine:
        raise NotFound("No cart with this id.")
    return cart


# Changing lines (shoppers and staff alike)

def _changed(load: Callable[[], Cart], change: Callable[[Cart], Cart]) -> Cart:
    """Apply `change` to a fresh read of the cart and save it under its version, again on conflict."""
    for attempt in range(_RETRIES):
        cart = load()
        if cart.state != CartState.OPEN:
            raise Conflict("This cart is no longer open.")
        try:
            return repo.save(change(cart))
        except Conflict:
            if attempt == _RETRIES - 1:
                raise
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))  # let the other writer finish
    raise AssertionError("unreachable")


def _sold(sku: str) -> None:
    product = product_repo.get_many([sku]).get(sku)
    if product is None or product.status != "active":
        raise InvalidInput(f"The product {sku} is not sold.", [{"field": "sku", "message": "unknown or inactive product"}])


def add_item(load: Callable[[], Cart], sku: str, quantity: int) -> CartView:
    _sold(sku)
    return view_of(_changed(load, lambda cart: domain.with_quantity(cart, sku, quantity, add=True)))


def set_quantity(load: Callable[[], Cart], sku: str, quantity: int) -> CartView:
    def change(cart: Cart) -> Cart:
        if all(line.sku != sku for line in cart.lines):
            raise NotFound(f"The cart has no line for {sku}.")
        return domain.with_quantity(cart, sku, quantity, add=False)

    return view_of(_changed(load, change))


def remove_item(load: Callable[[], Cart], sku: str) -> CartView:
    def change(cart: Cart) -> Cart:
        if all(line.sku != sku for line in cart.lines):
            raise NotFound(f"The cart has no line for {sku}.")
        return domain.without(cart, sku)

    return view_of(_changed(load, change))


def _checked_code(cart: Cart, code: str) -> str:
    """The code, normalised, if it can be used on this cart now (422 with the reason otherwise)."""
    subtotal = sum(line.total for line in domain.priced_lines(cart, product_repo.get_many([l.sku for l in cart.lines])))
    coupon, _ = coupons.check(code, subtotal, _coupon_user(cart, None))
    return coupon.code


def apply_coupon(load: Callable[[], Cart], code: str | None) -> CartView:
    """A shopper applies a coupon code (None: removes it)."""
    return view_of(_changed(load, lambda cart: domain.touched(cart, coupon=_checked_code(cart, code) if code else None)))


def change_cart(load: Callable[[], Cart], changes) -> CartView:
    """Staff: coupon (checked now), schedule and attribution."""
    sent = changes.model_dump(exclude_unset=True)

    def change(cart: Cart) -> Cart:
        updates = {}
        if changes.remove_coupon:
            updates["coupon"] = None
        elif changes.coupon is not None:
            updates["coupon"] = _checked_code(cart, changes.coupon)
        if "schedule" in sent:
            updates["schedule"] = sent["schedule"]
        if changes.attribution is not None:
            updates["attribution"] = {**cart.attribution, **changes.attribution.model_dump(exclude_none=True)}
        return domain.touched(cart, **updates) if updates else cart

    return view_of(_changed(load, change))


# Creating and finding carts

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


def open_cart_for_customer(customer_id: str, actor: str) -> CartView:
    """Staff open (or reopen) a customer's cart; the agent is recorded in its attribution."""
    customer = customers.get_customer(customer_id)
    if customer.guest_order_id is not None:
        raise InvalidInput("A guest entry has no account to prepare a cart for.", [{"field": "customer_id"}])
    existing = repo.open_cart_of(customer.id)
    if existing is not None:
        return view_of(existing)
    now = utc_now()
    return view_of(repo.create(Cart(id=new_id(), state=CartState.OPEN, customer_id=customer.id,
                                    attribution={"channel": "agent", "agent_id": actor}, created_at=now, updated_at=now)))


def claim_guest_cart(customer_id: str, cart_id: str, cart_token: str) -> None:
    """At login: the guest cart becomes the customer's, or its lines join the customer's open cart.
    A cart that is not (or no longer) a guest's open cart is left alone: the login goes on."""
    for attempt in range(_RETRIES):
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
            if attempt == _RETRIES - 1:
                raise


def forget_customer(customer_id: str) -> None:
    """A deleted customer's carts go (they hold what they were about to buy and where from)."""
    repo.delete_customer_carts(customer_id)


@dataclasses.dataclass
class CartRow:
    """A line of the staff's cart lists."""

    id: str
    customer: dict | None
    updated_at: str
    lines: list[domain.PricedLine]
    quantity: int
    value: int
    coupon: str | None
    attribution: dict


def list_carts(state: str, limit: int, next_token: str | None) -> Page[CartRow]:
    """Open carts (newest activity first), or abandoned ones: open, holding lines, idle longer than
    the reminder delay."""
    idle_before = None
    if state == "abandoned":
        idle_before = iso(clock.now() - timedelta(minutes=configuration.store_settings().abandoned_cart_delay_minutes))
    page = repo.open_page(limit, next_token, idle_before)
    people = {c.id: c for c in customer_repo.get_many([c.customer_id for c in page.items if c.customer_id])}
    catalogue = product_repo.get_many([line.sku for cart in page.items for line in cart.lines])
    rows = []
    for cart in page.items:
        person = people.get(cart.customer_id)
        lines = domain.priced_lines(cart, catalogue)
        rows.append(CartRow(id=cart.id, updated_at=cart.updated_at, lines=lines, quantity=cart.quantity,
                            value=sum(line.total for line in lines), coupon=cart.coupon, attribution=cart.attribution,
                            customer={"id": person.id, "email": person.email, "first_name": person.first_name,
                                      "last_name": person.last_name} if person else None))
    return Page(items=rows, next_token=page.next_token)


def customer_carts(customer_id: str, limit: int, next_token: str | None) -> Page[CartView]:
    customers.get_customer(customer_id)
    page = repo.customer_page(customer_id, limit, next_token)
    return Page(items=[view_of(cart) for cart in page.items], next_token=page.next_token)


# Checkout

def _buyer(cart: Cart, details) -> tuple[Customer | None, OrderCustomer | None]:
    if cart.customer_id:
        customer = customers.get_customer(cart.customer_id)
        settings = configuration.store_settings()
        if not customer_domain.can_buy(customer, settings.require_email_verification):
            reason = "verify your email first" if customer.status == "active" else f"the account is {customer.status}"
            raise Forbidden(f"This customer cannot check out: {reason}.")
        return customer, None
    email = getattr(details, "email", None)
    name = (details.shipping_address.name if details.shipping_address else None) or ""
    first, _, last = name.strip().rpartition(" ")
    if not email or not (first or last):
        raise InvalidInput("A guest checkout needs an email and a shipping address with a name.",
                           [{"field": "email"}, {"field": "shipping_address.name"}])
    return None, OrderCustomer(email=str(email), first_name=first or last, last_name=last if first else "")


def _default_addresses(customer: Customer | None) -> tuple[dict | None, dict | None]:
    if customer is None:
        return None, None
    billing = shipping = None
    for address in customer_tabs.list_addresses(customer.id):
        fields = address.fields().model_dump()
        billing = fields if address.default_billing else billing
        shipping = fields if address.default_shipping else shipping
    return billing, shipping


def _checkout(cart: Cart, details, actor: str, extra_attribution: dict) -> Order:
    """A retried request with its Idempotency-Key gets the first answer from the route layer; without
    one, a second checkout finds the cart checked out (409)."""
    if cart.state == CartState.CHECKED_OUT:
        raise Conflict("This cart is checked out already.", [{"order_id": cart.order_id}])
    if cart.state != CartState.OPEN:
        raise Conflict("This cart is no longer open.")
    if not cart.lines:
        raise InvalidInput("The cart is empty.", [{"field": "lines"}])
    catalogue = product_repo.get_many([line.sku for line in cart.lines])
    gone = domain.unavailable(cart, catalogue)
    if gone:
        raise InvalidInput("Some products are no longer sold.", [{"field": "lines", "message": f"sku {s} is not sold"} for s in gone])
    customer, guest = _buyer(cart, details)
    email = customer.email if customer else guest.email
    pricing = _pricing(cart, customer, email, strict=True)
    billing, shipping = _default_addresses(customer)
    address = lambda given, default: given.model_dump() if given is not None else default  # noqa: E731
    subscription = None
    if (cart.schedule or {}).get("kind") == "recurring" and customer is not None:
        subscription = subscriptions.create_for_checkout(
            customer_id=customer.id, lines=[dataclasses.asdict(line) for line in cart.lines],
            frequency=cart.schedule["frequency"], first_order_id=cart.id, payment_method=details.payment_method,
            delivery_method=details.delivery_method, billing_address=address(details.billing_address, billing),
            shipping_address=address(details.shipping_address, shipping), attribution=cart.attribution)
    closing = dataclasses.replace(cart, state=CartState.CHECKED_OUT, order_id=cart.id, updated_at=utc_now())

    def also(tx) -> None:
        repo.stage_save(tx, closing)
        if pricing.coupon is not None:
            coupon_repo.stage_redemption(tx, pricing.coupon, _coupon_user(cart, email))
        if subscription is not None:
            subscription_repo.stage_create(tx, subscription)

    new = orders.NewOrder(
        lines=[OrderLine(sku=l.sku, name=l.name, quantity=l.quantity, unit_price=l.unit_price) for l in pricing.lines],
        payment_method=details.payment_method, delivery_method=details.delivery_method, customer=customer, guest=guest,
        billing_address=address(details.billing_address, billing), shipping_address=address(details.shipping_address, shipping),
        discount=Discount("fixed", pricing.discount, code=cart.coupon) if pricing.discount else None,
        attribution={**cart.attribution, "cart_id": cart.id, **({"ip": cart.ip} if cart.ip else {}), **extra_attribution},
        order_id=cart.id)
    try:
        return orders.place_order(new, actor, also=also)
    except order_repo.OrderExists:  # placed by a concurrent request (the order's id is the cart's)
        raise Conflict("This cart is checked out already.")
    except TransactWriteError as error:
        reason = coupon_repo.exhausted_reason(error)
        if reason:
            raise InvalidInput(reason, [{"field": "coupon", "message": reason}])
        raise Conflict("The cart was changed meanwhile; read it again and retry.")


def checkout(cart_id: str, principal: Principal | None, cart_token: str | None, details) -> Order:
    cart = shopper_cart(cart_id, principal, cart_token)
    actor = principal.actor if principal else f"guest:{cart.id}"
    return _checkout(cart, details, actor, {})


def staff_checkout(cart_id: str, details, actor: str) -> Order:
    """Staff place the order in the customer's persona; payments that need the customer's own
    redirect are refused."""
    cart = get_cart(cart_id)
    if cart.customer_id is None:
        raise Conflict("Only a customer's cart can be checked out by staff.")
    if details.payment_method in order_domain.ONLINE_PAYMENTS:
        raise Conflict(f"A {details.payment_method} payment needs the customer: send them a checkout link "
                       f"(POST /admin/carts/{cart_id}/checkout-link).", [{"field": "payment_method"}])
    return _checkout(cart, details, actor, {"agent_id": actor})


# Checkout links

def _link_secret() -> str:
    return hmac.new(get_settings().customer_token_secret.encode(), b"checkout-link", hashlib.sha256).hexdigest()


@dataclasses.dataclass
class CheckoutLink:
    url: str
    token: str
    expires_at: str


def create_checkout_link(cart_id: str, request, actor: str) -> CheckoutLink:
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
                          cart=_mail_view(cart))
    repo.create_link(link_id, cart.id, cart.customer_id, int(expires.timestamp()), actor, mail)
    return CheckoutLink(url=url, token=token, expires_at=iso(expires))


@dataclasses.dataclass
class OpenedLink:
    customer_token: str
    cart: CartView
    customer: dict
    billing_address: dict | None
    shipping_address: dict | None


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
    billing, shipping = _default_addresses(customer)
    settings = get_settings()
    return OpenedLink(customer_token=issue_customer_token(customer.id, settings.customer_token_secret,
                                                          settings.customer_token_ttl_seconds),
                      cart=view_of(cart), billing_address=billing, shipping_address=shipping,
                      customer={"email": customer.email, "first_name": customer.first_name, "last_name": customer.last_name,
                                "phone": customer.phone})


# Abandoned-cart reminders (scheduled every minute)

def _mail_view(cart: Cart, catalogue: dict | None = None, currency: str | None = None) -> dict:
    """The cart as an email shows it (catalogue and currency given when mailing many carts)."""
    catalogue = catalogue if catalogue is not None else product_repo.get_many([line.sku for line in cart.lines])
    lines = domain.priced_lines(cart, catalogue)
    return {"id": cart.id, "lines": [dataclasses.asdict(line) for line in lines], "total": sum(l.total for l in lines),
            "currency": currency or configuration.store_settings().currency}


def send_cart_reminders(limit: int = 200) -> int:
    """One reminder per idle period for each cart idle longer than the delay; returns how many were
    queued. Safe to run twice or overlapping: each cart's reminder is taken by one conditioned write."""
    settings = configuration.store_settings()
    due = repo.reminders_due(iso(clock.now() - timedelta(minutes=settings.abandoned_cart_delay_minutes)), limit)
    people = {c.id: c for c in customer_repo.get_many([cart.customer_id for cart in due])}
    catalogue = product_repo.get_many([line.sku for cart in due for line in cart.lines])
    queued = 0
    for cart in due:
        person = people.get(cart.customer_id)
        if person is None or not person.email:
            repo.mark_reminded(cart, utc_now(), None)  # nobody to remind: off the due list
            continue
        mail = queue_mail(person.id, "cart_reminder", cart=_mail_view(cart, catalogue, settings.currency),
                          link=f"{get_settings().storefront_url}/carts/{cart.id}",
                          customer={"first_name": person.first_name, "last_name": person.last_name})
        queued += repo.mark_reminded(cart, utc_now(), mail)
    return queued
