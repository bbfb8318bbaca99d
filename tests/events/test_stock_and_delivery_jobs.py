"""Stock and delivery methods where no request is: the unpaid-order schedule puts stock back once however
often it runs, subscription renewals take stock (or wait for it) and stop when their delivery method is
no longer offered, and a guest's entry becomes searchable through the stream."""
import pytest

from chalicelib.services import subscriptions
from chalicelib.store import subscriptions as subscription_store
from chalicelib.store.models import transact_write
from tests.support.orders import ADDRESS, GUEST, order_body
from tests.support.schedules import run_schedule
from tests.support.streams import TableStream, deliver


def _stock(api, token, sku="MUG-01"):
    return api.get(f"/admin/products/{sku}", token=token).json["stock"]


@pytest.fixture
def mugs(api, admin_token, catalogue):
    """5 mugs in stock."""
    assert api.patch("/admin/products/MUG-01", {"stock": 5}, token=admin_token).status == 200


def test_the_unpaid_order_schedule_puts_stock_back_once_however_often_it_runs(api, admin_token, mugs, clock):
    # Given an unpaid card order of 3 mugs
    order = api.post("/admin/orders", order_body(guest=GUEST, lines=[{"sku": "MUG-01", "quantity": 3}]),
                     token=admin_token).json
    assert _stock(api, admin_token) == 2
    # When the schedule runs three times after the delay
    clock.advance(hours=49)
    runs = [run_schedule("cancel_unpaid_orders") for _ in range(3)]
    # Then the order was cancelled once and its 3 mugs came back once
    assert runs == [{"cancelled": 1}, {"cancelled": 0}, {"cancelled": 0}]
    assert api.get(f"/admin/orders/{order['id']}", token=admin_token).json["status"] == "cancelled"
    assert _stock(api, admin_token) == 5


@pytest.fixture
def subscribe(api, admin_token, new_customer, clock):
    """A customer's weekly subscription of 2 mugs by `delivery` (written as its checkout would)."""

    def make(delivery="standard"):
        customer = new_customer()
        subscription = subscriptions.create_for_checkout(customer["id"], [{"sku": "MUG-01", "quantity": 2}], "weekly",
                                                         None, "card", delivery, shipping_address=ADDRESS)
        with transact_write() as tx:
            subscription_store.stage_create(tx, subscription)
        return subscription

    return make


def test_a_renewal_takes_stock_and_waits_when_there_is_not_enough(api, admin_token, mugs, subscribe, clock):
    # Given a weekly subscription of 2 mugs, and 5 mugs in stock
    subscription = subscribe()
    # When three weeks of renewals come due, one week at a time
    placed = []
    for _ in range(3):
        clock.advance(days=7)
        placed.append(run_schedule("renew_subscriptions"))
    # Then two renewals took 4 mugs; the third waits (still due, still active) for stock
    assert placed == [{"renewed": 1}, {"renewed": 1}, {"renewed": 0}]
    assert _stock(api, admin_token) == 1
    waiting = api.get(f"/admin/subscriptions/{subscription.id}", token=admin_token).json
    assert waiting["status"] == "active" and waiting["renewals"] == 2
    # When mugs come in, the next run places the waiting period
    assert api.patch("/admin/products/MUG-01", {"stock": 10}, token=admin_token).status == 200
    assert run_schedule("renew_subscriptions") == {"renewed": 1}
    assert _stock(api, admin_token) == 8


def test_a_renewal_whose_delivery_method_is_no_longer_offered_pauses_the_subscription(api, admin_token, catalogue,
                                                                                     subscribe, clock, store_settings):
    # Given a weekly subscription by express, then the store stops offering express
    subscription = subscribe("express")
    store_settings(delivery_methods=[{"code": "standard", "name": "Standard", "fee": 490},
                                     {"code": "express", "name": "Express", "fee": 990, "active": False}])
    # When the renewal comes due
    clock.advance(days=7)
    # Then no order is placed and the subscription is paused with the reason
    assert run_schedule("renew_subscriptions") == {"renewed": 0}
    stopped = api.get(f"/admin/subscriptions/{subscription.id}", token=admin_token).json
    assert stopped["status"] == "paused" and stopped["renewals"] == 0
    events = api.get(f"/admin/customers/{subscription.customer_id}/timeline", token=admin_token).json["items"]
    assert [e["data"]["reason"] for e in events if e["type"] == "subscription_paused"] == ["delivery_method_unavailable"]


def test_a_guest_entry_becomes_searchable_once_the_stream_delivers_it(api, admin_token, catalogue):
    # Given the table's stream, and a guest checkout (the order's transaction leaves the entry's search
    # entries to the stream)
    stream = TableStream()
    cart = api.post("/store/carts", {}).json
    auth = {"X-Cart-Token": cart["cart_token"]}
    api.post(f"/store/carts/{cart['id']}/items", {"sku": "MUG-01", "quantity": 1}, headers=auth)
    order = api.post(f"/store/carts/{cart['id']}/checkout", {"email": "quentin.zyx@example.com", "payment_method": "card",
                                                             "shipping_address": {**ADDRESS, "name": "Quentin Zyx"}},
                     headers=auth).json
    assert api.get("/admin/customers?q=zyx", token=admin_token).json["items"] == []
    # When the stream delivers the entry's record (twice: delivery is at least once)
    records = [r for r in stream.read() if r["dynamodb"]["Keys"] == {"PK": {"S": f"CUST#{order['id']}"}, "SK": {"S": "PROFILE"}}]
    assert [r["eventName"] for r in records] == ["INSERT"]
    assert deliver(*records) == {"batchItemFailures": []}
    assert deliver(*records) == {"batchItemFailures": []}
    # Then staff find the guest by name and by email, once, and the order by the guest's name
    for query in ("zyx", "quentin.z"):
        assert [c["id"] for c in api.get(f"/admin/customers?q={query}", token=admin_token).json["items"]] == [order["id"]]
    assert [o["id"] for o in api.get("/admin/orders?q=quentin", token=admin_token).json["items"]] == [order["id"]]
