"""Leads, guest entries (one per order), and deleting a customer's personal data."""
import boto3

from chalicelib.domain.orders import OrderCustomer
from chalicelib.settings import get_settings
from tests.api.test_admin_customers import _place_order
from tests.support.streams import deliver, raw_item, record


def _register(api, email):
    return api.post("/store/customers", {"email": email, "password": "long enough pass", "first_name": "Lea",
                                         "last_name": "Ng"}).json


def test_leads_are_registered_customers_who_never_bought(api, admin_token, new_customer):
    lead = _register(api, "lead@example.com")
    buyer = _register(api, "buyer@example.com")
    new_customer()  # made by staff: not a registered account
    _place_order(buyer["id"], "2026-09-01T10:00:00.000Z")
    assert [c["id"] for c in api.get("/admin/leads", token=admin_token).json["items"]] == [lead["id"]]


def test_a_guest_appears_once_per_order_and_a_registered_customer_once(api, admin_token):
    guest = OrderCustomer(email="guest@example.com", first_name="Gus", last_name="Tee")
    first = _place_order(None, "2026-10-01T10:00:00.000Z", total=1500, guest=guest)
    second = _place_order(None, "2026-10-02T10:00:00.000Z", guest=guest, is_test=True)
    registered = _register(api, "guest@example.com")  # a guest email never blocks registering
    _place_order(registered["id"], "2026-10-03T10:00:00.000Z")
    _place_order(registered["id"], "2026-10-04T10:00:00.000Z")
    # a guest entry's search entries follow through the stream (the order's transaction has no room for them)
    assert deliver(*(record("INSERT", f"CUST#{o['id']}", "PROFILE") for o in (first, second))) == {"batchItemFailures": []}
    rows = api.get("/admin/customers?q=guest@", token=admin_token).json["items"]
    # the test order counts nowhere
    assert sorted((c["registered"], c["stats"]["order_count"]) for c in rows) == [(False, 0), (False, 1), (True, 2)]
    guests = {c["guest_order_id"]: c for c in rows if not c["registered"]}
    assert set(guests) == {first["id"], second["id"]}
    assert guests[second["id"]]["has_test_orders"] is True and guests[second["id"]]["stats"]["total_spent"] == 0
    assert guests[first["id"]]["group_id"] == "guests" and guests[first["id"]]["stats"]["total_spent"] == 1500


def test_deleting_a_customer_removes_personal_data_and_keeps_the_email_free(api, admin_token, new_customer):
    # Given a customer with an address, a note, a tag and an order
    customer = new_customer(email="gone@example.com", first_name="Zelda", last_name="Quist")
    cid = customer["id"]
    api.post(f"/admin/customers/{cid}/addresses", {"line1": "9 Elm Row", "city": "Leith", "country": "GB"}, token=admin_token)
    api.post(f"/admin/customers/{cid}/notes", {"text": "prefers email"}, token=admin_token)
    api.post(f"/admin/customers/{cid}/tags", {"tag": "vip"}, token=admin_token)
    _place_order(cid, "2026-10-01T10:00:00.000Z")
    old_image = raw_item(f"CUST#{cid}", "PROFILE")
    # When staff delete it and the stream delivers the deletion
    assert api.delete(f"/admin/customers/{cid}", token=admin_token).status == 204
    assert deliver(record("REMOVE", f"CUST#{cid}", "PROFILE", old_image=old_image)) == {"batchItemFailures": []}
    # Then nothing personal is left: no partition items, no search or tag entries
    table = boto3.resource("dynamodb").Table(get_settings().table_name)
    assert table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"CUST#{cid}"})["Items"] == []
    for query in ("q=zelda", "q=quist", "address=leith", "tag=vip"):
        assert api.get(f"/admin/customers?{query}", token=admin_token).json["items"] == [], query
    # And the email can be used again
    assert api.post("/admin/customers", {"email": "gone@example.com", "first_name": "New", "last_name": "One"},
                    token=admin_token).status == 201


def test_a_deletion_delivered_twice_is_harmless(api, admin_token, new_customer):
    customer = new_customer()
    old_image = raw_item(f"CUST#{customer['id']}", "PROFILE")
    api.delete(f"/admin/customers/{customer['id']}", token=admin_token)
    removal = record("REMOVE", f"CUST#{customer['id']}", "PROFILE", old_image=old_image)
    assert deliver(removal) == deliver(removal) == {"batchItemFailures": []}


def test_my_addresses_are_mine_only(api):
    _register(api, "me@example.com")
    _register(api, "you@example.com")
    mine = api.post("/store/login", {"email": "me@example.com", "password": "long enough pass"}).json["token"]
    yours = api.post("/store/login", {"email": "you@example.com", "password": "long enough pass"}).json["token"]
    added = api.post("/store/me/addresses", {"line1": "1 A St", "city": "Oslo", "country": "NO", "default_shipping": True},
                     token=mine)
    assert added.status == 201 and added.json["default_shipping"] is True
    assert [a["city"] for a in api.get("/store/me/addresses", token=mine).json["items"]] == ["Oslo"]
    assert api.get("/store/me/addresses", token=yours).json["items"] == []
    assert api.post("/store/me/addresses", {"city": "Oslo"}, token=mine).status == 422
    assert api.get("/store/me/addresses").status == 401
