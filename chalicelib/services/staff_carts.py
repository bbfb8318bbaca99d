"""Carts for staff: any cart by id, a customer's carts, carts prepared for a customer (the agent is
recorded in the attribution), the open and abandoned lists."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from chalicelib.domain import carts as domain
from chalicelib.domain import clock
from chalicelib.domain.carts import Cart, CartRow, CartState, CartView
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.pages import Page
from chalicelib.services import configuration, customers
from chalicelib.services.cart_lines import changed
from chalicelib.services.cart_pricing import checked_code, view_of
from chalicelib.store import carts as repo
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo

if TYPE_CHECKING:
    from chalicelib.domain.cart_inputs import CartChanges


def get_cart(cart_id: str) -> Cart:
    """A cart by id, for staff (shoppers go through shopper_carts.shopper_cart)."""
    cart = repo.get(cart_id)
    if cart is None:
        raise NotFound("No cart with this id.")
    return cart


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


def change_cart(load: Callable[[], Cart], changes: CartChanges) -> CartView:
    """Staff: coupon (checked now), schedule and attribution."""
    sent = changes.model_dump(exclude_unset=True)

    def change(cart: Cart) -> Cart:
        updates: dict[str, object] = {}
        if changes.remove_coupon:
            updates["coupon"] = None
        elif changes.coupon is not None:
            updates["coupon"] = checked_code(cart, changes.coupon)
        if "schedule" in sent:
            updates["schedule"] = sent["schedule"]
        if changes.attribution is not None:
            updates["attribution"] = {**cart.attribution, **changes.attribution.model_dump(exclude_none=True)}
        return domain.touched(cart, **updates) if updates else cart

    return view_of(changed(load, change))


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
        person = people.get(cart.customer_id) if cart.customer_id else None
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
