"""Stock follows orders: a product whose `stock` is set gives its goods to the orders that take them, in
the order's own transaction, never below zero (409 out_of_stock, nothing written); an order called off,
a line removed or reduced gives them back, exactly once. `stock: null` is not tracked."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS, GUEST, order_body
from tests.support.streams import deliver, record


def _stock(api, token, sku="MUG-01"):
    return api.get(f"/admin/products/{sku}", token=token).json["stock"]


def _set_stock(api, token, sku, stock):
    assert api.patch(f"/admin/products/{sku}", {"stock": stock}, token=token).status == 200


def _cart(api, lines):
    cart = api.post("/store/carts", {}).json
    auth = {"X-Cart-Token": cart["cart_token"]}
    for sku, quantity in lines.items():
        assert api.post(f"/store/carts/{cart['id']}/items", {"sku": sku, "quantity": quantity}, headers=auth).status == 200
    return cart["id"], auth


def _checkout(api, cart_id, auth):
    return api.post(f"/store/carts/{cart_id}/checkout", {"email": "gus@example.com", "payment_method": "card",
                                                         "shipping_address": ADDRESS}, headers=auth)


def _orders(api, token):
    return api.get("/admin/orders", token=token).json["items"]


@pytest.fixture
def stocked(api, admin_token, catalogue):
    """The mug and the bag track their stock (5 mugs, 2 bags); the tea does not."""
    _set_stock(api, admin_token, "MUG-01", 5)
    _set_stock(api, admin_token, "BAG-01", 2)


# Taking

def test_a_checkout_takes_tracked_stock_and_leaves_untracked_products_alone(api, admin_token, stocked):
    # When a guest checks out 2 mugs and a tea
    cart_id, auth = _cart(api, {"MUG-01": 2, "TEA-01": 1})
    reply = _checkout(api, cart_id, auth)
    # Then 3 mugs are left, and the tea is still untracked
    assert reply.status == 201
    assert (_stock(api, admin_token, "MUG-01"), _stock(api, admin_token, "TEA-01")) == (3, None)


def test_a_checkout_beyond_the_stock_is_a_409_naming_the_skus_and_writes_nothing(api, admin_token, stocked):
    # Given a cart with 6 mugs, 3 bags and a tea: more mugs and bags than in stock
    cart_id, auth = _cart(api, {"MUG-01": 6, "BAG-01": 3, "TEA-01": 1})
    # When the guest checks out
    reply = _checkout(api, cart_id, auth)
    # Then it is a 409 out_of_stock naming both skus
    assert (reply.status, reply.error_code) == (409, "out_of_stock")
    assert [d["sku"] for d in reply.json["error"]["details"]] == ["BAG-01", "MUG-01"]
    # And nothing is written: no order, the cart open, the stock as it was
    assert _orders(api, admin_token) == []
    assert api.get(f"/admin/carts/{cart_id}", token=admin_token).json["state"] == "open"
    assert (_stock(api, admin_token, "MUG-01"), _stock(api, admin_token, "BAG-01")) == (5, 2)


def test_the_orders_transaction_itself_refuses_what_the_stock_cannot_give(api, admin_token, stocked, monkeypatch):
    from chalicelib.services import orders

    # Given the stock read before the order looks sufficient (another buyer took the mugs in between)
    monkeypatch.setattr(orders, "check_stock", lambda lines, catalogue: None)
    cart_id, auth = _cart(api, {"MUG-01": 6, "TEA-01": 1})
    # When the guest checks out
    reply = _checkout(api, cart_id, auth)
    # Then the transaction's condition refuses it: 409 naming the mug, and nothing of the order is written
    assert (reply.status, reply.error_code) == (409, "out_of_stock")
    assert [d["sku"] for d in reply.json["error"]["details"]] == ["MUG-01"]
    assert _orders(api, admin_token) == []
    assert api.get(f"/admin/customers/{cart_id}", token=admin_token).status == 404  # no guest entry either
    assert api.get(f"/admin/carts/{cart_id}", token=admin_token).json["state"] == "open"
    assert _stock(api, admin_token) == 5


def test_the_last_units_can_be_bought_and_then_none(api, admin_token, stocked):
    first = _checkout(api, *_cart(api, {"BAG-01": 2}))
    second = _checkout(api, *_cart(api, {"BAG-01": 1}))
    assert (first.status, second.status, second.error_code) == (201, 409, "out_of_stock")
    assert _stock(api, admin_token, "BAG-01") == 0


def test_a_manual_order_takes_stock_and_is_refused_beyond_it(api, admin_token, stocked):
    placed = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 4}]), token=admin_token)
    refused = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 2}]), token=admin_token)
    assert placed.status == 201 and (refused.status, refused.error_code) == (409, "out_of_stock")
    assert _stock(api, admin_token) == 1 and len(_orders(api, admin_token)) == 1


def test_staff_see_the_stock_of_a_product(api, admin_token, stocked):
    # Staff read the stock of each product (shoppers do not: it is a staff field)
    listed = {p["sku"]: p["stock"] for p in api.get("/admin/products", token=staff_token("support")).json["items"]}
    assert listed == {"MUG-01": 5, "BAG-01": 2, "TEA-01": None}


# Line edits

def test_adding_and_raising_lines_takes_stock_and_is_refused_beyond_it(api, admin_token, stocked):
    # Given an order of one tea
    order = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "TEA-01", "quantity": 1}]),
                     token=admin_token).json
    items = f"/admin/orders/{order['id']}/items"
    # When staff add 2 mugs, then raise them to 4, then try 6
    added = api.post(items, {"sku": "MUG-01", "quantity": 2}, token=admin_token)
    after_add = _stock(api, admin_token)
    raised = api.patch(f"{items}/MUG-01", {"quantity": 4}, token=admin_token)
    too_many = api.patch(f"{items}/MUG-01", {"quantity": 6}, token=admin_token)
    # Then the stock follows each accepted change, and the refused one is a 409 that changes nothing
    assert (added.status, after_add, raised.status) == (201, 3, 200)
    assert (too_many.status, too_many.error_code) == (409, "out_of_stock")
    assert _stock(api, admin_token) == 1
    stored = api.get(f"/admin/orders/{order['id']}", token=admin_token).json
    assert [(line["sku"], line["quantity"]) for line in stored["lines"]] == [("TEA-01", 1), ("MUG-01", 4)]
    # And adding more bags than in stock is refused too
    bags = api.post(items, {"sku": "BAG-01", "quantity": 3}, token=admin_token)
    assert (bags.status, bags.error_code, _stock(api, admin_token, "BAG-01")) == (409, "out_of_stock", 2)


def test_reducing_and_removing_lines_puts_stock_back(api, admin_token, stocked):
    # Given an order of 4 mugs and 2 bags: 1 mug and no bag left
    order = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 4},
                                                                      {"sku": "BAG-01", "quantity": 2}]),
                     token=admin_token).json
    assert (_stock(api, admin_token), _stock(api, admin_token, "BAG-01")) == (1, 0)
    items = f"/admin/orders/{order['id']}/items"
    # When staff reduce the mugs to 1 and remove the bags
    assert api.patch(f"{items}/MUG-01", {"quantity": 1}, token=admin_token).status == 200
    assert api.delete(f"{items}/BAG-01", token=admin_token).status == 200
    # Then 3 mugs and 2 bags came back
    assert (_stock(api, admin_token), _stock(api, admin_token, "BAG-01")) == (4, 2)
    # And removing the bags again finds no line: nothing comes back twice
    assert api.delete(f"{items}/BAG-01", token=admin_token).status == 404
    assert _stock(api, admin_token, "BAG-01") == 2


# Calling off

@pytest.mark.parametrize("status", ["cancelled", "rejected"])
def test_calling_an_order_off_puts_its_stock_back_once(api, admin_token, stocked, status):
    # Given a checkout of 3 mugs and a bag
    order = _checkout(api, *_cart(api, {"MUG-01": 3, "BAG-01": 1, "TEA-01": 1})).json
    assert (_stock(api, admin_token), _stock(api, admin_token, "BAG-01")) == (2, 1)
    # When staff call the order off, and send the same request again
    first = api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=admin_token)
    again = api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=admin_token)
    # Then the goods are back once: the repeat is refused and moves nothing
    assert (first.status, again.status) == (200, 409)
    assert (_stock(api, admin_token), _stock(api, admin_token, "BAG-01"), _stock(api, admin_token, "TEA-01")) == (5, 2, None)
    # And the order's stream records, delivered twice, move no stock either
    records = [record("MODIFY", f"ORDER#{order['id']}", "ORDER")] * 2
    assert deliver(*records) == {"batchItemFailures": []}
    assert deliver(*records) == {"batchItemFailures": []}
    assert (_stock(api, admin_token), _stock(api, admin_token, "BAG-01")) == (5, 2)


def test_deleting_a_test_order_puts_its_stock_back_and_a_cancelled_ones_only_once(api, admin_token, stocked):
    # Given a test order of 2 mugs and a cancelled order of 3 mugs (its stock back already)
    test = api.post("/admin/orders", order_body(guest=GUEST, is_test=True), token=admin_token).json
    cancelled = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 3}]),
                         token=admin_token).json
    api.post(f"/admin/orders/{cancelled['id']}/status", {"status": "cancelled"}, token=admin_token)
    assert _stock(api, admin_token) == 3
    # When an admin deletes both
    assert api.delete(f"/admin/orders/{test['id']}", token=admin_token).status == 204
    assert api.delete(f"/admin/orders/{cancelled['id']}", token=admin_token).status == 204
    # Then the test order's mugs came back, and the cancelled order's did not come back a second time
    assert _stock(api, admin_token) == 5


def test_a_product_no_longer_tracked_takes_nothing_back(api, admin_token, stocked):
    # Given an order of 2 mugs, then staff stop tracking the mug's stock
    order = api.post("/admin/orders", order_body(guest=GUEST), token=admin_token).json
    _set_stock(api, admin_token, "MUG-01", None)
    # When the order is cancelled
    assert api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token).status == 200
    # Then the mug stays untracked (no stock appears from the put-back)
    assert _stock(api, admin_token) is None


def test_untracked_products_never_get_a_stock(api, admin_token, catalogue):
    # Given the catalogue without stock tracking (stock: null), an order placed, edited and cancelled
    order = api.post("/admin/orders", order_body(guest=GUEST), token=admin_token).json
    api.patch(f"/admin/orders/{order['id']}/items/MUG-01", {"quantity": 5}, token=admin_token)
    api.post(f"/admin/orders/{order['id']}/items", {"sku": "TEA-01", "quantity": 1}, token=admin_token)
    api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token)
    # Then no product has a stock
    assert {p["stock"] for p in api.get("/admin/products", token=admin_token).json["items"]} == {None}


def test_a_staff_edit_made_on_a_product_read_before_an_order_took_stock_is_refused(api, admin_token, stocked):
    import dataclasses

    from chalicelib.domain.errors import Conflict
    from chalicelib.services import products
    from chalicelib.store import products as product_repo

    # Given staff read the mug (5 in stock), then a checkout takes 2
    read = products.get_product("MUG-01")
    assert _checkout(api, *_cart(api, {"MUG-01": 2})).status == 201
    # When staff save a new price on the product as they read it
    # Then it is refused: it would write back the 5 it read
    with pytest.raises(Conflict):
        product_repo.update(dataclasses.replace(read, price=1300))
    assert _stock(api, admin_token) == 3
    # And the same change made on the product as it is now keeps the checkout's take
    reply = api.patch("/admin/products/MUG-01", {"price": 1300}, token=admin_token)
    assert (reply.status, reply.json["price"], reply.json["stock"]) == (200, 1300, 3)


# Imported orders

def test_imported_orders_move_no_stock(api, admin_token, stocked):
    from chalicelib.domain.orders import Order, OrderCustomer, OrderLine, priced
    from chalicelib.services import orders
    from chalicelib.store import orders as order_repo

    # Given an order history import writes an order of 3 mugs (marked imported) with its effects
    at = "2026-03-01T10:00:00.000Z"
    imported = priced(Order(id="IMPORTED1", number=90001, customer=OrderCustomer(**GUEST), delivery_method="standard",
                            payment_method="card", currency="EUR", created_at=at, updated_at=at, placed_at=at,
                            placed_day=at[:10], imported=True,
                            lines=[OrderLine("MUG-01", "Enamel mug", 3, 1250, stock_tracked=True)]))
    order_repo.place(order_repo.Placement(imported, orders.effects_of(None, imported, [])))
    # When staff cancel it
    orders.change_status("IMPORTED1", "cancelled", "staff:someone")
    # Then the stock moved neither way
    assert api.get("/admin/orders/IMPORTED1", token=admin_token).json["status"] == "cancelled"
    assert _stock(api, admin_token) == 5
