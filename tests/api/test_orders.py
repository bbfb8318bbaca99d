"""Staff place, read, move and edit orders; a customer's card, the sales figures and the badge follow."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS, GUEST, order_body


def _get(api, order, token):
    return api.get(f"/admin/orders/{order['id']}", token=token).json


def _status(api, order, status, token):
    return api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=token)


def _stats(api, customer, token):
    return api.get(f"/admin/customers/{customer['id']}", token=token).json["stats"]


def _timeline_types(api, order, token):
    return [e["type"] for e in api.get(f"/admin/orders/{order['id']}/timeline", token=token).json["items"]]


# Placing

def test_an_order_for_a_customer_is_numbered_and_lands_on_their_card(api, admin_token, place, new_customer):
    # Given a customer
    customer = new_customer()
    # When staff place two orders for them
    first = place(customer_id=customer["id"])
    second = place(customer_id=customer["id"], lines=[{"sku": "TEA-01", "quantity": 1}], delivery_method="pickup")
    # Then they are numbered from 1001, priced from the catalogue, and the buyer is the customer
    assert (first["number"], second["number"]) == (1001, 1002)
    assert first["lines"] == [{"sku": "MUG-01", "name": "Enamel mug", "quantity": 2, "unit_price": 1250, "discount": 0,
                               "total": 2500}]
    assert (first["subtotal"], first["shipping"], first["total"], first["currency"]) == (2500, 490, 2990, "EUR")
    assert first["customer_id"] == customer["id"] and first["customer"]["email"] == customer["email"]
    assert first["attribution"] == {"channel": "admin", "agent_id": "staff:staff-1"}
    # And the customer's card counts both, newest first
    stats = _stats(api, customer, admin_token)
    assert (stats["order_count"], stats["total_spent"], stats["average_order_value"]) == (2, 3790, 1895)
    assert [o["number"] for o in stats["last_orders"]] == [1002, 1001]
    listed = api.get(f"/admin/customers/{customer['id']}/orders", token=admin_token).json["items"]
    assert [o["number"] for o in listed] == [1002, 1001]
    assert _timeline_types(api, first, admin_token) == ["order_placed"]


def test_a_guest_order_gets_its_own_customer_entry(api, admin_token, place):
    order = place(guest=GUEST, is_test=True)
    assert order["customer_id"] is None and order["customer"]["email"] == GUEST["email"]
    entry = api.get(f"/admin/customers/{order['id']}", token=admin_token).json
    assert entry["guest_order_id"] == order["id"] and entry["group_id"] == "guests" and entry["has_test_orders"] is True
    assert entry["stats"]["order_count"] == 0 and entry["stats"]["total_spent"] == 0  # a test order counts nowhere


@pytest.mark.parametrize("method, payment_status", [("card", "awaiting_payment"), ("paypal", "awaiting_payment"),
                                                    ("wire_transfer", "awaiting_verification"), ("cash_on_delivery", "unpaid")])
def test_the_payment_method_decides_the_first_state(place, method, payment_status):
    order = place(guest=GUEST, payment_method=method)
    assert (order["status"], order["payment_status"], order["fulfillment_status"]) == ("open", payment_status, "unfulfilled")


def test_totals_are_recomputed_from_lines_and_discounts(place):
    order = place(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 3, "discount": 250},
                                      {"sku": "BAG-01", "quantity": 1, "unit_price": 1800}],
                  discount={"kind": "percent", "value": 10}, shipping=0)
    # 3 x 1250 - 250 = 3500; 1 x 1800 (staff price); 10 % of 5300 = 530
    assert [line["total"] for line in order["lines"]] == [3500, 1800]
    assert (order["subtotal"], order["discount"], order["shipping"], order["total"]) == (5550, 780, 0, 4770)


@pytest.mark.parametrize("change, field", [
    ({"lines": [{"sku": "MUG-01", "quantity": 0}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "MUG-01", "quantity": -2}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "MUG-01", "quantity": 1000}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "MUG-01", "quantity": 1.5}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "MUG-01", "quantity": 1, "unit_price": -1}]}, "lines.0.unit_price"),
    ({"lines": []}, "lines"),
    ({"lines": [{"sku": "NOPE-1", "quantity": 1}]}, "lines"),
    ({"lines": [{"sku": "MUG-01", "quantity": 1, "discount": 1300}]}, "discount"),
    ({"discount": {"kind": "fixed", "value": 999999}}, "discount"),
    ({"discount": {"kind": "percent", "value": 101}}, "discount"),
    ({"payment_method": "bitcoin"}, "payment_method"),
    ({"delivery_method": "drone"}, "delivery_method"),
    ({"customer_id": "someone"}, None),  # and a guest: one buyer only
    ({"guest": None}, None),  # no buyer at all
    ({"shipping_address": {"line1": "x", "city": "y", "country": "France"}}, "shipping_address.country"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_orders_are_refused_and_nothing_is_written(api, admin_token, catalogue, change, field):
    body = {**order_body(guest=GUEST), **change}
    reply = api.post("/admin/orders", body, token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error", reply.json
    if field:
        assert any(field in (d.get("field") or "") for d in reply.json["error"]["details"]), reply.json
    assert api.get("/admin/orders", token=admin_token).json["items"] == []
    assert api.get("/admin/customers", token=admin_token).json["items"] == []


def test_an_order_for_an_unknown_customer_is_404(api, admin_token, catalogue):
    reply = api.post("/admin/orders", order_body(customer_id="01NOSUCHCUSTOMER"), token=admin_token)
    assert reply.status == 404 and api.get("/admin/orders", token=admin_token).json["items"] == []


# Statuses

def test_an_order_goes_from_paid_to_completed_and_its_timeline_says_who_did_what(api, admin_token, place):
    order = place(guest=GUEST)
    agent = staff_token("agent", subject="ann")
    for status in ("paid", "processing", "shipped", "delivered"):
        assert _status(api, order, status, agent).status == 200
    final = _get(api, order, admin_token)
    assert (final["status"], final["payment_status"], final["fulfillment_status"]) == ("completed", "paid", "delivered")
    events = api.get(f"/admin/orders/{order['id']}/timeline", token=admin_token).json["items"]
    moves = [(e["data"]["from"], e["data"]["to"], e["actor"]) for e in events if e["type"] == "status_changed"]
    assert moves[0] == ("open", "completed", "staff:ann") and moves[1] == ("shipped", "delivered", "staff:ann")
    assert moves[-1] == ("awaiting_payment", "paid", "staff:ann") and len(moves) == 5


def test_an_invalid_move_is_409_and_an_unknown_status_422(api, admin_token, place):
    order = place(guest=GUEST)
    shipped_unpaid = _status(api, order, "shipped", admin_token)
    assert shipped_unpaid.status == 409 and shipped_unpaid.error_code == "invalid_transition"
    assert _status(api, order, "teleported", admin_token).status == 422
    assert _status(api, order, "refunded", admin_token).status == 409  # not paid yet
    assert _get(api, order, admin_token)["payment_status"] == "awaiting_payment"
    assert _timeline_types(api, order, admin_token) == ["order_placed"]


def test_cancelling_and_refunding_update_the_customer_once(api, admin_token, place, new_customer):
    customer = new_customer()
    kept, cancelled, refunded = (place(customer_id=customer["id"]) for _ in range(3))
    place(customer_id=customer["id"], is_test=True)
    assert (_stats(api, customer, admin_token)["order_count"], _stats(api, customer, admin_token)["total_spent"]) == (3, 3 * 2990)
    _status(api, cancelled, "cancelled", admin_token)
    assert _status(api, cancelled, "cancelled", admin_token).status == 409  # twice: refused, counted once
    _status(api, refunded, "paid", admin_token)
    _status(api, refunded, "refunded", admin_token)
    stats = _stats(api, customer, admin_token)
    # the cancelled order leaves the count; the refunded one stays an order but not money; the test order is neither
    assert (stats["order_count"], stats["total_spent"], stats["average_order_value"]) == (2, 2990, 1495)
    assert {o["number"]: o["status"] for o in stats["last_orders"]}[cancelled["number"]] == "cancelled"
    assert _get(api, kept, admin_token)["status"] == "open"


def test_the_unprocessed_badge_counts_paid_and_cash_orders_not_yet_shipped(api, admin_token, place):
    card, cash, wire = (place(guest=GUEST), place(guest=GUEST, payment_method="cash_on_delivery"),
                        place(guest=GUEST, payment_method="wire_transfer"))

    def badge():
        return api.get("/admin/orders", token=admin_token).json["unprocessed_count"]

    assert badge() == 1  # cash on delivery may ship unpaid
    _status(api, card, "paid", admin_token)
    _status(api, wire, "paid", admin_token)
    assert badge() == 3
    _status(api, card, "shipped", admin_token)
    _status(api, cash, "cancelled", admin_token)
    assert badge() == 1


# Listing

def test_orders_are_listed_newest_first_with_filters(api, admin_token, place, new_customer, clock):
    customer = new_customer(first_name="Zora", last_name="Quill", email="zora@example.com")
    early = place(customer_id=customer["id"], payment_method="wire_transfer")
    clock.advance(days=3)
    test_order = place(guest=GUEST, is_test=True, delivery_method="express")
    clock.advance(days=3)
    paid = place(guest=GUEST, payment_method="paypal")
    _status(api, paid, "paid", admin_token)
    _status(api, paid, "shipped", admin_token)

    def numbers(query=""):
        reply = api.get(f"/admin/orders?{query}", token=admin_token)
        assert reply.status == 200, reply.json
        return [o["number"] for o in reply.json["items"]]

    assert numbers() == [paid["number"], test_order["number"], early["number"]]
    assert numbers("payment_status=paid") == [paid["number"]]
    assert numbers("fulfillment_status=shipped") == [paid["number"]]
    assert numbers("fulfillment_status=unfulfilled") == [test_order["number"], early["number"]]
    assert numbers("status=open&payment_method=wire_transfer") == [early["number"]]
    assert numbers("delivery_method=express") == [test_order["number"]]
    assert numbers("is_test=true") == [test_order["number"]]
    assert numbers("is_test=false") == [paid["number"], early["number"]]
    assert numbers(f"customer_id={customer['id']}") == [early["number"]]
    assert numbers("from=2026-11-04&to=2026-11-06") == [test_order["number"]]
    assert numbers("payment_status=awaiting_verification&from=2026-11-01&to=2026-11-02") == [early["number"]]
    assert numbers(f"q={paid['number']}") == [paid["number"]]
    assert numbers(f"q=%23{early['number']}") == [early["number"]]
    assert numbers("q=zora@exa") == [early["number"]]
    assert numbers("q=quill") == [early["number"]]
    assert numbers("q=999999") == []
    row = api.get("/admin/orders?limit=1", token=admin_token).json["items"][0]
    assert {"number", "customer", "shipping_address", "created_at", "delivery_method", "status", "total"} <= set(row)


def test_the_list_pages_through_every_order_once(api, admin_token, place):
    placed = {place(guest=GUEST)["number"] for _ in range(5)}
    seen, token = [], None
    while True:
        page = api.get("/admin/orders?limit=2" + (f"&next_token={token}" if token else ""), token=admin_token).json
        seen += [o["number"] for o in page["items"]]
        token = page["next_token"]
        if not token:
            break
    assert sorted(seen) == sorted(placed) and len(seen) == 5


@pytest.mark.parametrize("query", ["status=lost", "payment_status=maybe", "from=yesterday", "from=2026-02-01&to=2026-01-01",
                                   "limit=0", "next_token=garbage!!", "is_test=perhaps", "q="])
def test_bad_list_queries_are_4xx(api, admin_token, query):
    assert api.get(f"/admin/orders?{query}", token=admin_token).status in (400, 422)


# Editing

def test_lines_discount_and_address_are_edited_before_shipping(api, admin_token, place):
    order = place(guest=GUEST)
    oid = order["id"]
    added = api.post(f"/admin/orders/{oid}/items", {"sku": "TEA-01", "quantity": 2}, token=admin_token)
    assert added.status == 201 and added.json["subtotal"] == 2500 + 1600
    changed = api.patch(f"/admin/orders/{oid}/items/MUG-01", {"quantity": 1, "discount": 50}, token=admin_token).json
    assert [(line["sku"], line["total"]) for line in changed["lines"]] == [("MUG-01", 1200), ("TEA-01", 1600)]
    removed = api.delete(f"/admin/orders/{oid}/items/TEA-01", token=admin_token).json
    assert removed["total"] == 1200 + 490
    new_address = {**ADDRESS, "line1": "2 Side St"}
    patched = api.patch(f"/admin/orders/{oid}", {"discount": {"kind": "fixed", "value": 200}, "shipping_address": new_address,
                                                 "delivery_method": "express"}, token=admin_token).json
    assert (patched["discount"], patched["shipping"], patched["total"]) == (250, 990, 1200 - 200 + 990)
    assert patched["shipping_address"]["line1"] == "2 Side St"
    types = _timeline_types(api, order, admin_token)
    assert set(types[:2]) == {"address_changed", "discount_applied"}  # one edit, two events
    assert types[2:] == ["line_removed", "line_changed", "line_added", "order_placed"]


def test_the_customers_card_follows_every_edit_of_their_order(api, admin_token, place, new_customer):
    # Given a customer's order: 2 mugs (2500) + shipping (490)
    customer = new_customer()
    order = place(customer_id=customer["id"])
    oid = order["id"]

    def card() -> tuple:
        stats = _stats(api, customer, admin_token)
        return stats["order_count"], stats["total_spent"], stats["average_order_value"], stats["last_orders"][0]["total"]

    assert card() == (1, 2990, 2990, 2990)
    # When staff add a line, the card counts the repriced order
    added = api.post(f"/admin/orders/{oid}/items", {"sku": "TEA-01", "quantity": 2}, token=admin_token).json
    assert added["total"] == 2500 + 1600 + 490 and card() == (1, added["total"], added["total"], added["total"])
    # And when they change a quantity, remove a line or give a discount, it follows each time
    changed = api.patch(f"/admin/orders/{oid}/items/MUG-01", {"quantity": 1}, token=admin_token).json
    assert card() == (1, changed["total"], changed["total"], changed["total"]) and changed["total"] == 1250 + 1600 + 490
    removed = api.delete(f"/admin/orders/{oid}/items/TEA-01", token=admin_token).json
    assert card() == (1, removed["total"], removed["total"], removed["total"]) and removed["total"] == 1250 + 490
    discounted = api.patch(f"/admin/orders/{oid}", {"discount": {"kind": "fixed", "value": 250}}, token=admin_token).json
    assert card() == (1, 1490, 1490, 1490) and discounted["total"] == 1490


def test_edits_that_make_no_sense_are_refused(api, admin_token, place):
    order = place(guest=GUEST)
    oid = order["id"]
    assert api.post(f"/admin/orders/{oid}/items", {"sku": "MUG-01", "quantity": 1}, token=admin_token).status == 409
    assert api.post(f"/admin/orders/{oid}/items", {"sku": "GHOST-1", "quantity": 1}, token=admin_token).status == 422
    assert api.post(f"/admin/orders/{oid}/items", {"sku": "TEA-01", "quantity": 0}, token=admin_token).status == 422
    assert api.patch(f"/admin/orders/{oid}/items/TEA-01", {"quantity": 2}, token=admin_token).status == 404
    assert api.patch(f"/admin/orders/{oid}/items/MUG-01", {"discount": 99999}, token=admin_token).status == 422
    assert api.delete(f"/admin/orders/{oid}/items/MUG-01", token=admin_token).status == 409  # the last line
    assert api.patch(f"/admin/orders/{oid}", {"discount": {"kind": "fixed", "value": 2501}}, token=admin_token).status == 422
    assert api.patch("/admin/orders/NOPE", {"shipping": 0}, token=admin_token).status == 404
    assert _get(api, order, admin_token)["total"] == 2990 and _timeline_types(api, order, admin_token) == ["order_placed"]
    _status(api, order, "paid", admin_token)
    _status(api, order, "shipped", admin_token)
    shipped = api.post(f"/admin/orders/{oid}/items", {"sku": "TEA-01", "quantity": 1}, token=admin_token)
    assert shipped.status == 409 and api.patch(f"/admin/orders/{oid}", {"shipping": 0}, token=admin_token).status == 409


def test_only_test_orders_and_never_paid_cancelled_orders_are_deleted(api, admin_token, place, new_customer):
    customer = new_customer()
    test_order, real, cancelled = (place(customer_id=customer["id"], is_test=True), place(customer_id=customer["id"]),
                                   place(guest=GUEST))
    _status(api, real, "paid", admin_token)
    _status(api, cancelled, "cancelled", admin_token)
    assert api.delete(f"/admin/orders/{real['id']}", token=admin_token).status == 409
    kept = _get(api, test_order, admin_token)
    assert api.delete(f"/admin/orders/{test_order['id']}", token=staff_token("agent")).status == 403
    assert _get(api, test_order, admin_token) == kept
    assert api.delete(f"/admin/orders/{test_order['id']}", token=admin_token).status == 204
    assert api.delete(f"/admin/orders/{cancelled['id']}", token=admin_token).status == 204
    assert api.get(f"/admin/customers/{cancelled['id']}", token=admin_token).status == 404  # the guest's entry went too
    assert api.get(f"/admin/orders/{test_order['id']}", token=admin_token).status == 404
    assert api.get(f"/admin/orders?q={test_order['number']}", token=admin_token).json["items"] == []
    stats = _stats(api, customer, admin_token)
    assert (stats["order_count"], stats["total_spent"]) == (1, 2990)
    assert [o["number"] for o in stats["last_orders"]] == [real["number"]]


# Who may do what

def test_support_reads_orders_and_adds_notes_but_changes_nothing(api, admin_token, place):
    order = place(guest=GUEST)
    support = staff_token("support")
    assert api.get(f"/admin/orders/{order['id']}", token=support).status == 200
    assert api.get("/admin/orders", token=support).status == 200
    note = api.post(f"/admin/orders/{order['id']}/notes", {"text": "called the customer"}, token=support)
    assert note.status == 201 and note.json["type"] == "note" and note.json["actor"] == "staff:staff-1"
    before = _get(api, order, admin_token)
    for reply in (_status(api, order, "paid", support),
                  api.post("/admin/orders", order_body(guest=GUEST), token=support),
                  api.patch(f"/admin/orders/{order['id']}", {"shipping": 0}, token=support),
                  api.post(f"/admin/orders/{order['id']}/items", {"sku": "TEA-01", "quantity": 1}, token=support),
                  api.delete(f"/admin/orders/{order['id']}/items/MUG-01", token=support),
                  api.delete(f"/admin/orders/{order['id']}", token=support)):
        assert reply.status == 403 and reply.error_code == "forbidden"
    # Then the order is as it was (still awaiting payment, its lines, no other order placed)
    assert _get(api, order, admin_token) == before and before["payment_status"] == "awaiting_payment"
    assert [o["id"] for o in api.get("/admin/orders", token=admin_token).json["items"]] == [order["id"]]
    assert _timeline_types(api, order, admin_token) == ["note", "order_placed"]


def test_orders_need_a_staff_token(api, place):
    order = place(guest=GUEST)
    shopper = api.post("/store/customers", {"email": "s@example.com", "password": "a long enough password",
                                            "first_name": "S", "last_name": "T"}).json
    customer_token = api.post("/store/login", {"email": "s@example.com", "password": "a long enough password"}).json["token"]
    assert shopper["id"]
    for path in ("/admin/orders", f"/admin/orders/{order['id']}", "/admin/ordered-products", "/admin/invoices"):
        assert api.get(path).status == 401
        assert api.get(path, token=customer_token).status == 401


def test_a_shopper_sees_only_their_own_orders(api, admin_token, place):
    def shopper(email):
        created = api.post("/store/customers", {"email": email, "password": "a long enough password", "first_name": "S",
                                                "last_name": "T"}).json
        token = api.post("/store/login", {"email": email, "password": "a long enough password"}).json["token"]
        return created, token

    (lea, lea_token), (max_, max_token) = shopper("lea@example.com"), shopper("max@example.com")
    mine = place(customer_id=lea["id"])
    place(customer_id=max_["id"])
    place(guest={**GUEST, "email": "lea@example.com"})  # a guest order with her email is not her account's
    own = api.get("/store/me/orders", token=lea_token).json["items"]
    assert [o["id"] for o in own] == [mine["id"]]
    assert "attribution" not in own[0] and "flags" not in own[0]
    assert [o["customer_id"] for o in api.get("/store/me/orders", token=max_token).json["items"]] == [max_["id"]]
    assert api.get("/store/me/orders").status == 401
    assert api.get("/store/me/orders", token=admin_token).status == 401


# Sales figures

def test_ordered_products_follow_orders_as_they_change(api, admin_token, place, clock, stream):
    first = place(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-01", "quantity": 1}])
    clock.advance(days=2)
    second = place(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 1, "discount": 250}])
    place(guest=GUEST, is_test=True)  # not a sale
    cancelled = place(guest=GUEST, lines=[{"sku": "BAG-01", "quantity": 1}])
    _status(api, cancelled, "cancelled", admin_token)

    def figures(query="from=2026-10-01&to=2026-11-30"):
        stream.deliver()  # the sales per sku and day follow the orders through the stream
        reply = api.get(f"/admin/ordered-products?{query}", token=admin_token)
        assert reply.status == 200, reply.json
        return {p["sku"]: p for p in reply.json["items"]}

    sold = figures()
    assert set(sold) == {"MUG-01", "TEA-01"}
    assert (sold["MUG-01"]["quantity_sold"], sold["MUG-01"]["revenue"]) == (3, 2500 + 1000)
    assert sorted(sold["MUG-01"]["order_ids"]) == sorted([first["id"], second["id"]])
    assert sold["MUG-01"]["cheapest_supplier"] == {"name": "Cheap Cups", "price": 310}
    assert sold["TEA-01"]["cheapest_supplier"] is None
    assert set(figures("from=2026-11-03&to=2026-11-30")) == {"MUG-01"}  # the second order's day only
    # When a line goes and an order is refunded, the figures follow
    api.delete(f"/admin/orders/{first['id']}/items/TEA-01", token=admin_token)
    _status(api, second, "paid", admin_token)
    _status(api, second, "refunded", admin_token)
    sold = figures()
    assert set(sold) == {"MUG-01"} and sold["MUG-01"]["order_ids"] == [first["id"]] and sold["MUG-01"]["quantity_sold"] == 2
    assert api.get("/admin/ordered-products?from=2020-01-01&to=2026-01-01", token=admin_token).status == 422
    assert api.get("/admin/ordered-products?from=tomorrow", token=admin_token).status == 422


# Retries and odd input

def test_a_retried_phone_order_with_the_same_idempotency_key_is_placed_once(api, admin_token, place, new_customer):
    customer = new_customer()
    body = order_body(customer_id=customer["id"])
    first = api.post("/admin/orders", body, token=admin_token, headers={"Idempotency-Key": "call-42"})
    again = api.post("/admin/orders", body, token=admin_token, headers={"Idempotency-Key": "call-42"})
    other = api.post("/admin/orders", body, token=admin_token, headers={"Idempotency-Key": "call-43"})
    assert (first.status, again.status, other.status) == (201, 201, 201)
    assert again.json == first.json and other.json["id"] != first.json["id"]
    assert _stats(api, customer, admin_token)["order_count"] == 2
    # A request that failed leaves the key free for a corrected retry
    bad = api.post("/admin/orders", {**body, "lines": []}, token=admin_token, headers={"Idempotency-Key": "call-44"})
    fixed = api.post("/admin/orders", body, token=admin_token, headers={"Idempotency-Key": "call-44"})
    assert (bad.status, fixed.status) == (422, 201)


@pytest.mark.parametrize("query", ["q=%C2%B2%C2%B3", "q=1234567890123456789", "from=9999-12-01&to=9999-12-31",
                                   "to=0001-01-05", "from=1999-12-31"])
def test_odd_searches_and_dates_are_answered_not_crashed(api, admin_token, place, query):
    place(guest=GUEST)
    for path in ("/admin/orders", "/admin/ordered-products", "/admin/invoices"):
        assert api.get(f"{path}?{query}", token=admin_token).status in (200, 422), (path, query)


def test_ids_longer_than_any_id_are_not_found(api, admin_token):
    long_id = "x" * 3000
    for path in (f"/admin/orders/{long_id}", f"/admin/customers/{long_id}", f"/store/carts/{long_id}"):
        assert api.get(path, token=admin_token).status == 404


def test_a_page_token_of_another_list_is_a_400(api, admin_token, place, new_customer):
    customer = new_customer()
    for _ in range(2):
        place(customer_id=customer["id"])
    token = api.get(f"/admin/customers/{customer['id']}/orders?limit=1", token=admin_token).json["next_token"]
    assert api.get(f"/admin/customers/{customer['id']}/orders?limit=1&next_token={token}", token=admin_token).status == 200
    other = new_customer()
    assert api.get(f"/admin/customers/{other['id']}/orders?next_token={token}", token=admin_token).status in (200, 400)
