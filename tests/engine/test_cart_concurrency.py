"""Carts under concurrency (DynamoDB Local only: moto's writes are not atomic across threads)."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.domain.cart_inputs import Checkout
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.services import cart_lines, checkout, shopper_carts
from tests.support.orders import ADDRESS


def _guest_cart(api):
    reply = api.post("/store/carts", {}).json
    return reply["id"], reply["cart_token"]


def test_concurrent_adds_to_one_cart_lose_no_line(api, admin_token):
    skus = [f"SKU-{n:02d}" for n in range(16)]
    for sku in skus:
        assert api.post("/admin/products", {"sku": sku, "name": sku, "price": 100}, token=admin_token).status == 201
    cart_id, token = _guest_cart(api)
    load = lambda: shopper_carts.shopper_cart(cart_id, None, token)  # noqa: E731
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda sku: cart_lines.add_item(load, sku, 1), skus + skus))  # each sku twice
    cart = api.get(f"/store/carts/{cart_id}", headers={"X-Cart-Token": token}).json
    assert sorted((line["sku"], line["quantity"]) for line in cart["lines"]) == [(sku, 2) for sku in skus]


def test_concurrent_checkouts_of_one_cart_place_one_order(api, admin_token, catalogue):
    cart_id, token = _guest_cart(api)
    api.post(f"/store/carts/{cart_id}/items", {"sku": "MUG-01", "quantity": 1}, headers={"X-Cart-Token": token})

    def check_out(_):
        reply = api.post(f"/store/carts/{cart_id}/checkout", {"email": "g@example.com", "payment_method": "card",
                                                              "shipping_address": {**ADDRESS, "name": "Gus Guest"}},
                         headers={"X-Cart-Token": token, "Idempotency-Key": "same"})
        return reply.status, (reply.json or {}).get("id")

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(check_out, range(6)))
    placed = {order_id for status, order_id in results if status == 201}
    assert placed == {cart_id} and all(status in (201, 409) for status, _ in results), results
    assert [o["id"] for o in api.get("/admin/orders", token=admin_token).json["items"]] == [cart_id]


def test_two_shoppers_cannot_both_take_a_coupons_last_use(api, admin_token, catalogue):
    api.post("/admin/coupons", {"code": "LAST1", "kind": "percent", "value": 10, "usage_limit": 1}, token=admin_token)
    cart_ids = []
    for _ in range(6):
        cart_id, token = _guest_cart(api)
        api.post(f"/store/carts/{cart_id}/items", {"sku": "MUG-01", "quantity": 1}, headers={"X-Cart-Token": token})
        api.post(f"/store/carts/{cart_id}/coupon", {"code": "LAST1"}, headers={"X-Cart-Token": token})
        cart_ids.append((cart_id, token))

    def check_out(pair):
        cart_id, token = pair
        details = Checkout(email=f"{cart_id.lower()}@example.com", payment_method="card",
                           shipping_address={**ADDRESS, "name": "Gus Guest"})
        for _ in range(10):  # a transaction cancelled by a concurrent one is retried, as a client would
            try:
                checkout.checkout(cart_id, None, token, details)
                return "placed"
            except InvalidInput as refused:
                return refused.message
            except Conflict:
                continue
        return "gave up"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(check_out, cart_ids))
    assert outcomes.count("placed") == 1 and all("used up" in o for o in outcomes if o != "placed"), outcomes
    assert [c["used"] for c in api.get("/admin/coupons", token=admin_token).json["items"]] == [1]
    assert len(api.get("/admin/orders", token=admin_token).json["items"]) == 1
