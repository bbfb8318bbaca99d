"""Checkout: a cart becomes an order. The order (its id IS the cart's), the cart's closing, the
coupon's use, a recurring cart's subscription and the stock its lines take are written in ONE
transaction (store.companions, store.products): a retried or concurrent checkout cannot place two
orders, and a coupon's limits and the stock hold. The catalogue and the settings are read once."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from chalicelib.domain import carts as cart_domain
from chalicelib.domain import customers as customer_domain
from chalicelib.domain import orders as order_domain
from chalicelib.domain.carts import Cart, CartClosed, CartState
from chalicelib.domain.clock import utc_now
from chalicelib.domain.coupons import CouponRedeemed, customer_key
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, OrderExists
from chalicelib.domain.orders import Discount, Order, OrderCustomer, OrderLine
from chalicelib.domain.subscriptions import SubscriptionStarted
from chalicelib.domain.tokens import Principal
from chalicelib.services import configuration, customer_tabs, customers, orders, subscriptions
from chalicelib.services.cart_pricing import pricing
from chalicelib.services.shopper_carts import shopper_cart
from chalicelib.services.staff_carts import get_cart
from chalicelib.store import products as product_repo

if TYPE_CHECKING:
    from chalicelib.domain.cart_inputs import StaffCheckout
    from chalicelib.domain.store_settings import StoreSettings
    from chalicelib.store.companions import Companion


def _buyer(cart: Cart, details: StaffCheckout, settings: StoreSettings) -> tuple[Customer | None, OrderCustomer | None]:
    if cart.customer_id:
        customer = customers.get_customer(cart.customer_id)
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


def default_addresses(customer: Customer | None) -> tuple[dict | None, dict | None]:
    """The fields of the customer's default billing and shipping addresses (None where none is set)."""
    if customer is None:
        return None, None
    billing = shipping = None
    for address in customer_tabs.list_addresses(customer.id):
        fields = address.fields().model_dump()
        billing = fields if address.default_billing else billing
        shipping = fields if address.default_shipping else shipping
    return billing, shipping


def _checkout(cart: Cart, details: StaffCheckout, actor: str, extra_attribution: dict) -> Order:
    """A retried request with its Idempotency-Key gets the first answer from the route layer; without
    one, a second checkout finds the cart checked out (409)."""
    if cart.state == CartState.CHECKED_OUT:
        raise Conflict("This cart is checked out already.", [{"order_id": cart.order_id}])
    if cart.state != CartState.OPEN:
        raise Conflict("This cart is no longer open.")
    if not cart.lines:
        raise InvalidInput("The cart is empty.", [{"field": "lines"}])
    catalogue = product_repo.get_many([line.sku for line in cart.lines])
    gone = cart_domain.unavailable(cart, catalogue)
    if gone:
        raise InvalidInput("Some products are no longer sold.", [{"field": "lines",
                                                                  "message": f"sku {s} is not sold"} for s in gone])
    settings = configuration.store_settings()
    method = settings.delivery_method(details.delivery_method)
    customer, guest = _buyer(cart, details, settings)
    email = customer.email if customer else guest.email if guest else None
    priced = pricing(cart, customer, email, strict=True, catalogue=catalogue)
    lines = [OrderLine(sku=x.sku, name=x.name, quantity=x.quantity, unit_price=x.unit_price,
                       stock_tracked=catalogue[x.sku].stock is not None) for x in priced.lines]
    orders.check_stock(lines, catalogue)
    billing, shipping = default_addresses(customer)
    billing = details.billing_address.model_dump() if details.billing_address is not None else billing
    shipping = details.shipping_address.model_dump() if details.shipping_address is not None else shipping
    also: list[Companion] = [CartClosed(dataclasses.replace(cart, state=CartState.CHECKED_OUT, order_id=cart.id,
                                                            updated_at=utc_now()))]
    if priced.coupon is not None:
        also.append(CouponRedeemed(priced.coupon, customer_key(cart.customer_id, email)))
    schedule = cart.schedule or {}
    if schedule.get("kind") == "recurring" and customer is not None:
        also.append(SubscriptionStarted(subscriptions.create_for_checkout(
            customer_id=customer.id, lines=[dataclasses.asdict(line) for line in cart.lines],
            frequency=schedule["frequency"], first_order_id=cart.id,
            payment_method=details.payment_method, delivery_method=method.code, billing_address=billing,
            shipping_address=shipping, attribution=cart.attribution)))
    new = orders.NewOrder(
        lines=lines, payment_method=details.payment_method, delivery_method=method.code, customer=customer, guest=guest,
        billing_address=billing, shipping_address=shipping,
        discount=Discount("fixed", priced.discount, code=cart.coupon) if priced.discount else None,
        attribution={**cart.attribution, "cart_id": cart.id, **({"ip": cart.ip} if cart.ip else {}), **extra_attribution},
        order_id=cart.id)
    try:
        return orders.place_order(new, actor, also=also, settings=settings)
    except OrderExists:  # placed by a concurrent request (the order's id is the cart's)
        raise Conflict("This cart is checked out already.") from None


def checkout(cart_id: str, principal: Principal | None, cart_token: str | None, details: StaffCheckout) -> Order:
    """A shopper checks out their cart (a guest with the cart's token)."""
    cart = shopper_cart(cart_id, principal, cart_token)
    actor = principal.actor if principal else f"guest:{cart.id}"
    return _checkout(cart, details, actor, {})


def staff_checkout(cart_id: str, details: StaffCheckout, actor: str) -> Order:
    """Staff place the order in the customer's persona; payments that need the customer's own
    redirect are refused."""
    cart = get_cart(cart_id)
    if cart.customer_id is None:
        raise Conflict("Only a customer's cart can be checked out by staff.")
    if details.payment_method in order_domain.ONLINE_PAYMENTS:
        raise Conflict(f"A {details.payment_method} payment needs the customer: send them a checkout link "
                       f"(POST /admin/carts/{cart_id}/checkout-link).", [{"field": "payment_method"}])
    return _checkout(cart, details, actor, {"agent_id": actor})
