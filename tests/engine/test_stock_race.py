"""Stock under concurrency: buyers racing for the last units never take more than there is.

DynamoDB Local only (tests/engine/): what is checked is the atomicity of the conditional stock update
inside concurrent order transactions, which moto does not emulate."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.domain.cart_inputs import Checkout
from chalicelib.domain.errors import DomainError
from chalicelib.services import checkout
from tests.support.orders import ADDRESS


def _guest_cart(api, sku):
    cart = api.post("/store/carts", {}).json
    auth = {"X-Cart-Token": cart["cart_token"]}
    assert api.post(f"/store/carts/{cart['id']}/items", {"sku": sku, "quantity": 1}, headers=auth).status == 200
    return cart["id"], auth


def test_twenty_buyers_racing_for_five_units_place_exactly_five_orders(api, admin_token, catalogue):
    # Given 5 mugs in stock and 20 guests with a mug in their cart
    assert api.patch("/admin/products/MUG-01", {"stock": 5}, token=admin_token).status == 200
    carts = [_guest_cart(api, "MUG-01") for _ in range(20)]

    def check_out(cart):
        """The checkout route's service (Chalice's test client keeps one current request for all threads)."""
        cart_id, auth = cart
        details = Checkout(email="racer@example.com", payment_method="card", shipping_address=ADDRESS)
        try:
            checkout.checkout(cart_id, None, auth["X-Cart-Token"], details)
            return "placed"
        except DomainError as refused:
            return refused.code

    # When they all check out at the same time
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(check_out, carts))
    # Then exactly 5 orders are placed, the other 15 are told the mug is out of stock
    assert sorted(outcomes, reverse=True) == ["placed"] * 5 + ["out_of_stock"] * 15, outcomes
    # And the stock is 0, never below, with 5 orders of one mug each
    assert api.get("/admin/products/MUG-01", token=admin_token).json["stock"] == 0
    orders = api.get("/admin/orders", token=admin_token).json["items"]
    assert len(orders) == 5 and all(o["lines"][0]["quantity"] == 1 for o in orders)
