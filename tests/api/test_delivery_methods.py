"""The merchant's delivery methods: kept in the store settings, chosen at checkout and on staff orders,
their fee (free from a goods total on) applied, their name shown with the orders that chose them."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS, GUEST, order_body

DEFAULTS = [{"code": "standard", "name": "Standard", "fee": 490, "free_over": None, "active": True},
            {"code": "express", "name": "Express", "fee": 990, "free_over": None, "active": True},
            {"code": "pickup", "name": "Pickup", "fee": 0, "free_over": None, "active": True}]
# A store that delivers by post or by courier (free from 30.00 on) and no longer offers express.
OWN = [{"code": "post", "name": "La Poste", "fee": 590},
       {"code": "courier", "name": "Courier", "fee": 1500, "free_over": 3000},
       {"code": "express", "name": "Express", "fee": 990, "active": False}]


@pytest.fixture
def own_methods(store_settings):
    return store_settings(delivery_methods=OWN)


def _methods(api, token):
    return api.get("/admin/settings", token=token).json["delivery_methods"]


def _guest_checkout(api, skus, **body):
    """A guest cart with one of each sku, checked out; returns the reply and the cart's id."""
    cart = api.post("/store/carts", {}).json
    auth = {"X-Cart-Token": cart["cart_token"]}
    for sku in skus:
        assert api.post(f"/store/carts/{cart['id']}/items", {"sku": sku, "quantity": 1}, headers=auth).status == 200
    reply = api.post(f"/store/carts/{cart['id']}/checkout", {"email": "gus@example.com", "payment_method": "card",
                                                             "shipping_address": ADDRESS, **body}, headers=auth)
    return reply, cart["id"]


# Settings

def test_a_new_store_offers_standard_express_and_pickup(api, admin_token):
    # When staff read the settings of a store that never changed them
    # Then the three default methods are there with today's fees, all active
    assert _methods(api, admin_token) == DEFAULTS


def test_admins_replace_the_list_of_delivery_methods(api, admin_token):
    # When an admin sends the store's own methods
    reply = api.patch("/admin/settings", {"delivery_methods": OWN}, token=admin_token)
    # Then they replace the defaults, with free_over and active filled in where left out
    assert reply.status == 200
    expected = [{"free_over": None, "active": True, **method} for method in OWN]
    assert reply.json["delivery_methods"] == expected == _methods(api, admin_token)


@pytest.mark.parametrize("methods, problem", [
    ([], "no method at all"),
    ([{**DEFAULTS[0]}, {**DEFAULTS[1], "code": "standard"}], "a code twice"),
    ([{**DEFAULTS[0], "fee": -1}], "a negative fee"),
    ([{**DEFAULTS[0], "fee": 4.9}], "a fee that is not in minor units"),
    ([{**DEFAULTS[0], "free_over": -100}], "a negative free_over"),
    ([{**DEFAULTS[0], "active": False}], "none active"),
    ([{**DEFAULTS[0], "code": "Next Day!"}], "a code that is not a code"),
    ([{**DEFAULTS[0], "name": "  "}], "a blank name"),
    ([{"code": "post", "fee": 590}], "no name"),
    ([{**DEFAULTS[0], "colour": "red"}], "an unknown field"),
    (None, "null"),
    ([{**DEFAULTS[0], "code": f"m{n}"} for n in range(21)], "more than 20"),
])
def test_bad_delivery_methods_are_refused_and_nothing_changes(api, admin_token, methods, problem):
    # When an admin sends a list with a problem
    reply = api.patch("/admin/settings", {"delivery_methods": methods}, token=admin_token)
    # Then it is a 422 naming the field, and the store keeps its methods
    assert reply.status == 422, problem
    assert any("delivery_methods" in str(detail.get("field")) for detail in reply.json["error"]["details"]), reply.json
    assert _methods(api, admin_token) == DEFAULTS


@pytest.mark.parametrize("role", ["agent", "support"])
def test_only_admins_change_delivery_methods(api, admin_token, role):
    # When an agent or support staff member sends new methods
    reply = api.patch("/admin/settings", {"delivery_methods": OWN}, token=staff_token(role))
    # Then it is refused and nothing changes
    assert reply.status == 403
    assert _methods(api, admin_token) == DEFAULTS


# Checkout

def test_a_checkout_pays_the_chosen_methods_fee_unless_the_goods_reach_free_over(api, admin_token, catalogue, own_methods):
    # When a guest checks out a mug (12.50) by courier, and another a mug and a bag (32.50)
    small, _ = _guest_checkout(api, ["MUG-01"], delivery_method="courier")
    large, _ = _guest_checkout(api, ["MUG-01", "BAG-01"], delivery_method="courier")
    # Then the first pays the courier's fee, the second nothing: its goods reach free_over
    assert small.status == large.status == 201
    assert (small.json["shipping"], small.json["total"]) == (1500, 2750)
    assert (large.json["shipping"], large.json["total"]) == (0, 3250)
    # And each order keeps the method's code and answers its name
    assert {(o["delivery_method"], o["delivery_method_name"]) for o in (small.json, large.json)} == {("courier", "Courier")}


def test_free_over_counts_the_goods_after_discounts(api, admin_token, catalogue, store_settings):
    # Given courier delivery free from 30.00 on, and a coupon of 10%
    store_settings(delivery_methods=OWN)
    api.post("/admin/coupons", {"code": "TEN", "kind": "percent", "value": 10}, token=admin_token)
    cart = api.post("/store/carts", {}).json
    auth = {"X-Cart-Token": cart["cart_token"]}
    for sku in ("MUG-01", "BAG-01"):  # 32.50 of goods
        api.post(f"/store/carts/{cart['id']}/items", {"sku": sku, "quantity": 1}, headers=auth)
    api.post(f"/store/carts/{cart['id']}/coupon", {"code": "TEN"}, headers=auth)
    # When the guest checks out by courier: 32.50 - 3.25 = 29.25 of goods, under 30.00
    order = api.post(f"/store/carts/{cart['id']}/checkout", {"email": "gus@example.com", "payment_method": "card",
                                                             "shipping_address": ADDRESS, "delivery_method": "courier"},
                     headers=auth).json
    # Then the courier's fee is due
    assert (order["subtotal"], order["discount"], order["shipping"], order["total"]) == (3250, 325, 1500, 4425)


def test_a_checkout_without_a_method_takes_the_stores_first_active_one(api, catalogue, own_methods):
    reply, _ = _guest_checkout(api, ["MUG-01"])
    assert reply.status == 201
    order = reply.json
    assert (order["delivery_method"], order["delivery_method_name"], order["shipping"]) == ("post", "La Poste", 590)


@pytest.mark.parametrize("code", ["express", "drone", "standard"])
def test_an_inactive_or_unknown_method_is_refused_at_checkout_naming_the_valid_ones(api, admin_token, catalogue,
                                                                                  own_methods, code):
    # When a guest checks out with a method the store no longer offers (express), never had (drone),
    # or had only by default (standard, replaced by the merchant's own)
    reply, cart_id = _guest_checkout(api, ["MUG-01"], delivery_method=code)
    # Then it is a 422 that lists the active methods
    assert reply.status == 422
    assert reply.json["error"]["details"] == [{"field": "delivery_method", "message": reply.json["error"]["message"],
                                               "valid": ["post", "courier"]}]
    # And nothing is written: no order, the cart still open
    assert api.get("/admin/orders", token=admin_token).json["items"] == []
    assert api.get(f"/admin/carts/{cart_id}", token=admin_token).json["state"] == "open"


# Staff orders

def test_a_manual_order_takes_the_methods_fee_unless_staff_set_one(api, admin_token, catalogue, own_methods, new_customer):
    customer = new_customer()
    by_post = api.post("/admin/orders", order_body(customer_id=customer["id"], delivery_method="post"), token=admin_token)
    waived = api.post("/admin/orders", order_body(customer_id=customer["id"], delivery_method="courier", shipping=0),
                      token=admin_token)
    assert (by_post.status, by_post.json["shipping"], by_post.json["delivery_method_name"]) == (201, 590, "La Poste")
    assert (waived.status, waived.json["shipping"], waived.json["delivery_method_name"]) == (201, 0, "Courier")


@pytest.mark.parametrize("code", ["express", "drone"])
def test_a_manual_order_with_an_inactive_or_unknown_method_is_refused(api, admin_token, catalogue, own_methods, code):
    reply = api.post("/admin/orders", order_body(guest=GUEST, delivery_method=code), token=admin_token)
    assert reply.status == 422 and reply.json["error"]["details"][0]["valid"] == ["post", "courier"]
    assert api.get("/admin/orders", token=admin_token).json["items"] == []


def test_staff_change_an_orders_method_and_its_fee_follows(api, admin_token, catalogue, own_methods):
    # Given an order by post
    order = api.post("/admin/orders", order_body(guest=GUEST, delivery_method="post"), token=admin_token).json
    # When staff switch it to courier, then try express (no longer offered)
    changed = api.patch(f"/admin/orders/{order['id']}", {"delivery_method": "courier"}, token=admin_token)
    refused = api.patch(f"/admin/orders/{order['id']}", {"delivery_method": "express"}, token=admin_token)
    # Then the courier's fee and name apply; express is a 422 and the order stays by courier
    assert (changed.status, changed.json["shipping"], changed.json["delivery_method_name"]) == (200, 1500, "Courier")
    assert refused.status == 422 and refused.json["error"]["details"][0]["valid"] == ["post", "courier"]
    stored = api.get(f"/admin/orders/{order['id']}", token=admin_token).json
    assert (stored["delivery_method"], stored["delivery_method_name"], stored["shipping"]) == ("courier", "Courier", 1500)


# The orders list

def test_the_orders_list_shows_each_methods_name_and_filters_by_any_of_the_stores_codes(api, admin_token, catalogue,
                                                                                        store_settings):
    # Given an express order placed while express was offered, then the merchant's own methods
    express = api.post("/admin/orders", order_body(guest=GUEST, delivery_method="express"), token=admin_token).json
    store_settings(delivery_methods=OWN)
    courier = api.post("/admin/orders", order_body(guest=GUEST, delivery_method="courier"), token=admin_token).json
    # When staff list the orders
    listed = api.get("/admin/orders", token=admin_token).json["items"]
    # Then each shows its method's name
    assert [(o["id"], o["delivery_method_name"]) for o in listed] == [(courier["id"], "Courier"), (express["id"], "Express")]
    # And the list filters by any of the store's methods, the retired one included (its orders must still ship)
    by_code = {code: [o["id"] for o in api.get(f"/admin/orders?delivery_method={code}", token=admin_token).json["items"]]
               for code in ("courier", "express", "post")}
    assert by_code == {"courier": [courier["id"]], "express": [express["id"]], "post": []}
    # But a code the store does not have is a 422 naming the store's codes
    unknown = api.get("/admin/orders?delivery_method=drone", token=admin_token)
    assert unknown.status == 422 and unknown.json["error"]["details"][0]["valid"] == ["post", "courier", "express"]


def test_an_order_keeps_the_name_its_method_had_when_chosen(api, admin_token, catalogue, store_settings):
    # Given an order by courier
    store_settings(delivery_methods=OWN)
    before = api.post("/admin/orders", order_body(guest=GUEST, delivery_method="courier"), token=admin_token).json
    # When the merchant renames the method
    store_settings(delivery_methods=[{**OWN[1], "name": "Courier (24 h)"}, OWN[0]])
    after = api.post("/admin/orders", order_body(guest=GUEST, delivery_method="courier"), token=admin_token).json
    # Then the earlier order keeps the name it was placed with, the new one has the new name
    names = {o["id"]: o["delivery_method_name"] for o in api.get("/admin/orders", token=admin_token).json["items"]}
    assert names == {before["id"]: "Courier", after["id"]: "Courier (24 h)"}
