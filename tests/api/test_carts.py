"""Shoppers fill carts and check out; a cart is reached only by whoever holds it."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS

SHIP = {**ADDRESS, "name": "Gus Guest"}
PASSWORD = "a long enough password"


def _guest_cart(api):
    reply = api.post("/store/carts", {})
    assert reply.status == 201, reply.json
    return reply.json["id"], {"X-Cart-Token": reply.json["cart_token"]}


def _shopper(api, email="lea@example.com"):
    created = api.post("/store/customers", {"email": email, "password": PASSWORD, "first_name": "Lea", "last_name": "Roy"}).json
    token = api.post("/store/login", {"email": email, "password": PASSWORD}).json["token"]
    return created, token


def _add(api, cart_id, sku, quantity, **auth):
    return api.post(f"/store/carts/{cart_id}/items", {"sku": sku, "quantity": quantity}, **auth)


def _checkout(api, cart_id, key=None, body=None, **auth):
    headers = {**auth.pop("headers", {}), **({"Idempotency-Key": key} if key else {})}
    return api.post(f"/store/carts/{cart_id}/checkout", body or {"email": "gus@example.com", "payment_method": "card",
                                                                  "shipping_address": SHIP}, headers=headers, **auth)


def test_a_guest_fills_a_cart_at_catalogue_prices(api, catalogue):
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "MUG-01", 2, headers=auth)
    _add(api, cart_id, "MUG-01", 1, headers=auth)  # quantities add up
    _add(api, cart_id, "TEA-01", 1, headers=auth)
    api.patch(f"/store/carts/{cart_id}/items/TEA-01", {"quantity": 4}, headers=auth)
    cart = api.delete(f"/store/carts/{cart_id}/items/TEA-01", headers=auth).json
    assert [(line["sku"], line["quantity"], line["unit_price"], line["total"])
            for line in cart["lines"]] == [("MUG-01", 3, 1250, 3750)]
    assert (cart["subtotal"], cart["discount"], cart["total"], cart["state"]) == (3750, 0, 3750, "open")
    assert "cart_token" not in cart or cart["cart_token"] is None
    assert api.get(f"/store/carts/{cart_id}", headers=auth).json["total"] == 3750


def test_a_price_sent_by_the_shopper_is_ignored(api, catalogue):
    cart_id, auth = _guest_cart(api)
    reply = api.post(f"/store/carts/{cart_id}/items", {"sku": "MUG-01", "quantity": 2, "unit_price": 1, "total": 2},
                     headers=auth)
    assert reply.status == 200 and (reply.json["lines"][0]["unit_price"], reply.json["total"]) == (1250, 2500)


@pytest.mark.parametrize("item", [{"sku": "MUG-01", "quantity": 0}, {"sku": "MUG-01", "quantity": 1000},
                                  {"sku": "MUG-01", "quantity": "2"}, {"sku": "NOPE-1", "quantity": 1},
                                  {"sku": "MUG-01", "quantity": 1, "discount": 100}, {"sku": "MUG-01"}])
def test_bad_lines_are_refused(api, catalogue, item):
    cart_id, auth = _guest_cart(api)
    reply = api.post(f"/store/carts/{cart_id}/items", item, headers=auth)
    assert reply.status == 422, reply.json
    assert api.get(f"/store/carts/{cart_id}", headers=auth).json["lines"] == []


def test_a_line_never_goes_above_999(api, catalogue):
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "MUG-01", 999, headers=auth)
    assert _add(api, cart_id, "MUG-01", 1, headers=auth).status == 422
    assert api.patch(f"/store/carts/{cart_id}/items/MUG-01", {"quantity": 0}, headers=auth).status == 422
    assert api.patch(f"/store/carts/{cart_id}/items/TEA-01", {"quantity": 1}, headers=auth).status == 404


def test_a_cart_is_reached_only_by_whoever_holds_it(api, catalogue):
    guest_id, guest_auth = _guest_cart(api)
    other_id, other_auth = _guest_cart(api)
    lea, lea_token = _shopper(api)
    _, max_token = _shopper(api, "max@example.com")
    lea_cart = api.post("/store/carts", {}, token=lea_token).json
    assert lea_cart["customer_id"] == lea["id"] and lea_cart.get("cart_token") is None
    for reply in (api.get(f"/store/carts/{guest_id}"),  # no token
                  api.get(f"/store/carts/{guest_id}", headers=other_auth),  # another cart's token
                  api.get(f"/store/carts/{guest_id}", headers={"X-Cart-Token": "forged"}),
                  api.get(f"/store/carts/{lea_cart['id']}", token=max_token),  # another customer
                  api.get(f"/store/carts/{lea_cart['id']}", headers=guest_auth),
                  _add(api, lea_cart["id"], "MUG-01", 1, token=max_token),
                  _checkout(api, guest_id, headers=other_auth)):
        assert reply.status == 404, reply.json
    assert api.get(f"/store/carts/{guest_id}", token="not-a-token").status == 401
    assert api.get(f"/store/carts/{lea_cart['id']}", token=lea_token).status == 200
    assert api.post("/store/carts", {}, token=lea_token).json["id"] == lea_cart["id"]  # one open cart per customer
    assert other_id != guest_id


def test_a_guest_checks_out_once_whatever_the_retries(api, admin_token, catalogue):
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "MUG-01", 2, headers=auth)
    first = _checkout(api, cart_id, key="try-1", headers=auth)
    assert first.status == 201, first.json
    order = first.json
    assert (order["id"], order["customer_id"], order["customer"]["email"]) == (cart_id, None, "gus@example.com")
    assert (order["customer"]["first_name"], order["customer"]["last_name"], order["total"]) == ("Gus", "Guest", 2990)
    assert "attribution" not in order
    # When the shopper's app retries with the same key, the same order comes back; another key is a 409
    again = _checkout(api, cart_id, key="try-1", headers=auth)
    assert again.status == 201 and again.json["id"] == order["id"] and again.json["number"] == order["number"]
    assert _checkout(api, cart_id, key="try-2", headers=auth).status == 409
    assert _add(api, cart_id, "TEA-01", 1, headers=auth).status == 409
    assert len(api.get("/admin/orders", token=admin_token).json["items"]) == 1
    assert api.get(f"/store/carts/{cart_id}", headers=auth).json["state"] == "checked_out"
    # And the guest has their own customer entry for the order
    assert api.get(f"/admin/customers/{order['id']}", token=admin_token).json["guest_order_id"] == order["id"]
    staff_view = api.get(f"/admin/orders/{order['id']}", token=admin_token).json
    assert staff_view["attribution"]["cart_id"] == cart_id


@pytest.mark.parametrize("body, status", [
    ({"payment_method": "card", "shipping_address": SHIP}, 422),  # a guest needs an email
    ({"email": "gus@example.com", "payment_method": "card"}, 422),  # and a name on the shipping address
    ({"email": "not-an-email", "payment_method": "card", "shipping_address": SHIP}, 422),
    ({"email": "gus@example.com", "payment_method": "cash", "shipping_address": SHIP}, 422),
    ({"email": "gus@example.com", "payment_method": "card", "shipping_address": SHIP, "coupon_discount": 1}, 422),
])
def test_bad_checkouts_place_nothing(api, admin_token, catalogue, body, status):
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "MUG-01", 1, headers=auth)
    assert _checkout(api, cart_id, body=body, headers=auth).status == status
    assert api.get("/admin/orders", token=admin_token).json["items"] == []
    assert api.get(f"/store/carts/{cart_id}", headers=auth).json["state"] == "open"


def test_an_empty_cart_or_a_product_no_longer_sold_cannot_be_checked_out(api, admin_token, catalogue):
    cart_id, auth = _guest_cart(api)
    assert _checkout(api, cart_id, headers=auth).status == 422
    _add(api, cart_id, "TEA-01", 1, headers=auth)
    api.patch("/admin/products/TEA-01", {"status": "archived"}, token=admin_token)
    reply = _checkout(api, cart_id, headers=auth)
    assert reply.status == 422 and "TEA-01" in str(reply.json["error"]["details"])
    assert [line["sku"] for line in api.get(f"/store/carts/{cart_id}", headers=auth).json["lines"]] == ["TEA-01"]


def test_a_customer_checks_out_with_their_saved_address_and_group_discount(api, admin_token, catalogue):
    lea, token = _shopper(api)
    group = api.post("/admin/groups", {"name": "Friends", "discount_percent": 10}, token=admin_token).json
    api.patch(f"/admin/customers/{lea['id']}", {"group_id": group["id"]}, token=admin_token)
    api.post("/store/me/addresses", {**ADDRESS, "default_shipping": True, "default_billing": True}, token=token)
    cart = api.post("/store/carts", {"attribution": {"channel": "newsletter", "campaign": "nov"}}, token=token).json
    view = _add(api, cart["id"], "BAG-01", 2, token=token).json
    assert (view["subtotal"], view["discount"], view["total"]) == (4000, 400, 3600)
    order = _checkout(api, cart["id"], body={"payment_method": "wire_transfer"}, token=token).json
    assert order["customer_id"] == lea["id"] and order["shipping_address"]["line1"] == ADDRESS["line1"]
    assert (order["subtotal"], order["discount"], order["total"]) == (4000, 400, 3600 + 490)
    staff_view = api.get(f"/admin/orders/{order['id']}", token=admin_token).json
    assert staff_view["attribution"]["channel"] == "newsletter" and staff_view["attribution"]["campaign"] == "nov"
    assert [o["id"] for o in api.get("/store/me/orders", token=token).json["items"]] == [order["id"]]
    assert api.get(f"/admin/customers/{lea['id']}", token=admin_token).json["stats"]["order_count"] == 1


def test_a_customer_who_must_verify_their_email_cannot_check_out_yet(api, admin_token, catalogue):
    api.patch("/admin/settings", {"require_email_verification": True}, token=admin_token)
    lea, token = _shopper(api)
    cart = api.post("/store/carts", {}, token=token).json
    _add(api, cart["id"], "MUG-01", 1, token=token)
    reply = _checkout(api, cart["id"], body={"payment_method": "card", "shipping_address": SHIP}, token=token)
    assert reply.status == 403 and "verify" in reply.json["error"]["message"]
    assert api.get(f"/store/carts/{cart['id']}", token=token).json["state"] == "open"  # nothing placed
    assert api.get("/store/me/orders", token=token).json["items"] == []
    api.post(f"/admin/customers/{lea['id']}/verify-email", token=admin_token)
    assert _checkout(api, cart["id"], body={"payment_method": "card", "shipping_address": SHIP}, token=token).status == 201


def test_a_guest_cart_joins_the_customers_cart_at_login(api, catalogue):
    _, token = _shopper(api)
    mine = api.post("/store/carts", {}, token=token).json
    _add(api, mine["id"], "MUG-01", 1, token=token)
    guest_id, auth = _guest_cart(api)
    _add(api, guest_id, "MUG-01", 2, headers=auth)
    _add(api, guest_id, "TEA-01", 1, headers=auth)
    # When the guest logs in with their cart
    login = api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD, "cart_id": guest_id,
                                      "cart_token": auth["X-Cart-Token"]})
    assert login.status == 200
    merged = api.get(f"/store/carts/{mine['id']}", token=token).json
    assert {(line["sku"], line["quantity"]) for line in merged["lines"]} == {("MUG-01", 3), ("TEA-01", 1)}
    assert api.get(f"/store/carts/{guest_id}", headers=auth).json["state"] == "merged"
    # A second login with the same cart changes nothing
    api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD, "cart_id": guest_id,
                              "cart_token": auth["X-Cart-Token"]})
    assert api.get(f"/store/carts/{mine['id']}", token=token).json["quantity"] == 4


def test_a_guest_cart_becomes_the_customers_when_they_have_none(api, catalogue):
    _shopper(api)
    guest_id, auth = _guest_cart(api)
    _add(api, guest_id, "TEA-01", 2, headers=auth)
    token = api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD, "cart_id": guest_id,
                                      "cart_token": auth["X-Cart-Token"]}).json["token"]
    assert api.get(f"/store/carts/{guest_id}", token=token).json["quantity"] == 2
    assert api.get(f"/store/carts/{guest_id}", headers=auth).status == 404  # the guest token no longer reaches it
    # A cart token that no longer (or never) reaches a guest cart is ignored: the login goes on
    assert api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD, "cart_id": guest_id,
                                     "cart_token": auth["X-Cart-Token"]}).status == 200
    assert api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD, "cart_id": guest_id,
                                     "cart_token": "wrong"}).status == 200
    assert api.get(f"/store/carts/{guest_id}", token=token).json["quantity"] == 2


def test_staff_see_open_and_abandoned_carts(api, admin_token, catalogue, clock, new_customer):
    lea, token = _shopper(api)
    idle = api.post("/store/carts", {}, token=token).json
    _add(api, idle["id"], "MUG-01", 2, token=token)
    clock.advance(minutes=90)
    fresh_id, auth = _guest_cart(api)
    _add(api, fresh_id, "TEA-01", 1, headers=auth)
    empty_id, _ = _guest_cart(api)
    open_rows = api.get("/admin/carts?state=open", token=admin_token).json["items"]
    assert [r["id"] for r in open_rows] == [empty_id, fresh_id, idle["id"]]
    row = open_rows[2]
    assert row["customer"]["email"] == "lea@example.com" and (row["quantity"], row["value"]) == (2, 2500)
    abandoned = api.get("/admin/carts?state=abandoned", token=admin_token).json["items"]
    assert [r["id"] for r in abandoned] == [idle["id"]]  # idle > 60 min (the default delay) and not empty
    assert api.get("/admin/carts?state=lost", token=admin_token).status == 422
    assert api.get("/admin/carts", token=staff_token("support")).status == 200
    assert api.get("/admin/carts").status == 401
    assert [c["id"] for c in api.get(f"/admin/customers/{lea['id']}/carts", token=admin_token).json["items"]] == [idle["id"]]


# Coupons at checkout

def _coupon(api, admin_token, **fields):
    body = {"code": "WELCOME5", "kind": "fixed", "value": 500, "min_subtotal": 1000, "usage_limit": 2, **fields}
    assert api.post("/admin/coupons", body, token=admin_token).status == 201


def test_a_coupon_lowers_the_total_and_is_used_once_per_order(api, admin_token, catalogue):
    _coupon(api, admin_token)
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "MUG-01", 2, headers=auth)
    view = api.post(f"/store/carts/{cart_id}/coupon", {"code": "welcome5"}, headers=auth).json
    assert (view["coupon"], view["subtotal"], view["discount"], view["total"]) == ("WELCOME5", 2500, 500, 2000)
    order = _checkout(api, cart_id, key="k", headers=auth).json
    assert (order["discount"], order["total"]) == (500, 2000 + 490) and order["order_discount"]["code"] == "WELCOME5"
    _checkout(api, cart_id, key="k", headers=auth)  # a retry does not use it again
    assert [c["used"] for c in api.get("/admin/coupons", token=admin_token).json["items"]] == [1]


def test_a_coupon_that_cannot_be_used_is_refused_with_its_reason(api, admin_token, catalogue, clock):
    _coupon(api, admin_token, usage_limit=1, ends_at="2026-11-03T00:00:00Z")
    cart_id, auth = _guest_cart(api)
    _add(api, cart_id, "TEA-01", 1, headers=auth)
    below = api.post(f"/store/carts/{cart_id}/coupon", {"code": "WELCOME5"}, headers=auth)
    assert below.status == 422 and "at least" in below.json["error"]["message"]
    assert api.post(f"/store/carts/{cart_id}/coupon", {"code": "NOSUCH"}, headers=auth).status == 422
    _add(api, cart_id, "TEA-01", 1, headers=auth)
    assert api.post(f"/store/carts/{cart_id}/coupon", {"code": "WELCOME5"}, headers=auth).status == 200
    # When another shopper takes its only use first, this checkout is refused and places nothing
    other_id, other_auth = _guest_cart(api)
    _add(api, other_id, "MUG-01", 1, headers=other_auth)
    api.post(f"/store/carts/{other_id}/coupon", {"code": "WELCOME5"}, headers=other_auth)
    assert _checkout(api, other_id, headers=other_auth).status == 201
    refused = _checkout(api, cart_id, headers=auth)
    assert refused.status == 422 and "used up" in refused.json["error"]["message"]
    assert api.get(f"/store/carts/{cart_id}", headers=auth).json["state"] == "open"
    # And an expired coupon gives nothing in the cart and is refused at checkout
    api.delete(f"/store/carts/{cart_id}/coupon", headers=auth)
    clock.advance(days=2)
    assert api.post(f"/store/carts/{cart_id}/coupon", {"code": "WELCOME5"},
                    headers=auth).json["error"]["message"] == "the coupon has expired"
    assert len(api.get("/admin/orders", token=admin_token).json["items"]) == 1


def test_a_customer_uses_a_coupon_at_most_as_often_as_allowed(api, admin_token, catalogue):
    _coupon(api, admin_token, usage_limit=None, per_customer_limit=1)
    _, token = _shopper(api)
    for expected in (201, 422):
        cart = api.post("/store/carts", {}, token=token).json
        _add(api, cart["id"], "MUG-01", 1, token=token)
        applied = api.post(f"/store/carts/{cart['id']}/coupon", {"code": "WELCOME5"}, token=token)
        if expected == 201:
            assert applied.status == 200
            assert _checkout(api, cart["id"], body={"payment_method": "card", "shipping_address": SHIP},
                             token=token).status == 201
        else:
            assert applied.status == 422 and "already used" in applied.json["error"]["message"]
