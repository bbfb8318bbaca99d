"""A cart's lines and coupon, changed by shoppers and staff alike.

A change is read, applied and saved under the cart's version; on a concurrent change the whole step is
redone on a fresh read, so concurrent adds never lose a line. `load` reads the cart as the caller may
see it (a shopper's own cart, any cart for staff)."""
import random
import time
from collections.abc import Callable

from chalicelib.domain import carts as domain
from chalicelib.domain.carts import Cart, CartState, CartView
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services.cart_pricing import checked_code, view_of
from chalicelib.store import carts as repo
from chalicelib.store import products as product_repo

RETRIES = 20  # tries of a cart change that meets concurrent changes


def changed(load: Callable[[], Cart], change: Callable[[Cart], Cart]) -> Cart:
    """Apply `change` to a fresh read of the cart and save it under its version, again on conflict."""
    for attempt in range(RETRIES):
        cart = load()
        if cart.state != CartState.OPEN:
            raise Conflict("This cart is no longer open.")
        try:
            return repo.save(change(cart))
        except Conflict:
            if attempt == RETRIES - 1:
                raise
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))  # let the other writer finish
    raise AssertionError("unreachable")


def _sold(sku: str) -> None:
    product = product_repo.get_many([sku]).get(sku)
    if product is None or product.status != "active":
        raise InvalidInput(f"The product {sku} is not sold.", [{"field": "sku", "message": "unknown or inactive product"}])


def add_item(load: Callable[[], Cart], sku: str, quantity: int) -> CartView:
    _sold(sku)
    return view_of(changed(load, lambda cart: domain.with_quantity(cart, sku, quantity, add=True)))


def _has_line(cart: Cart, sku: str) -> None:
    if all(line.sku != sku for line in cart.lines):
        raise NotFound(f"The cart has no line for {sku}.")


def set_quantity(load: Callable[[], Cart], sku: str, quantity: int) -> CartView:
    def change(cart: Cart) -> Cart:
        _has_line(cart, sku)
        return domain.with_quantity(cart, sku, quantity, add=False)

    return view_of(changed(load, change))


def remove_item(load: Callable[[], Cart], sku: str) -> CartView:
    def change(cart: Cart) -> Cart:
        _has_line(cart, sku)
        return domain.without(cart, sku)

    return view_of(changed(load, change))


def apply_coupon(load: Callable[[], Cart], code: str | None) -> CartView:
    """A shopper applies a coupon code (None: removes it)."""
    return view_of(changed(load, lambda cart: domain.touched(cart, coupon=checked_code(cart, code) if code else None)))
