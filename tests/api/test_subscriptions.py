"""Staff read a customer's subscriptions and pause, resume, cancel or reschedule them."""
import pytest

from chalicelib.services import subscriptions
from chalicelib.store import subscriptions as subscription_store
from chalicelib.store.models import transact_write
from tests.support.api import staff_token
from tests.support.orders import ADDRESS


@pytest.fixture
def subscribe(api, place, new_customer, clock):
    """Factory: a customer's first order and the subscription its checkout starts (as carts will do:
    built by the service, written by the store inside a transaction), on the test clock. Returns (customer, its JSON)."""

    def make(frequency="monthly", customer=None):
        customer = customer or new_customer()
        lines = [{"sku": "MUG-01", "quantity": 2}]
        first = place(customer_id=customer["id"], lines=lines)
        subscription = subscriptions.create_for_checkout(customer["id"], lines, frequency, first["id"], "card", "standard",
                                                         billing_address=ADDRESS, shipping_address=ADDRESS,
                                                         attribution={"channel": "storefront"})
        with transact_write() as tx:
            subscription_store.stage_create(tx, subscription)
        return customer, _get(api, subscription.id, staff_token("admin")).json

    return make


def _get(api, subscription_id, token):
    return api.get(f"/admin/subscriptions/{subscription_id}", token=token)


def _patch(api, subscription, body, token):
    return api.patch(f"/admin/subscriptions/{subscription['id']}", body, token=token)


def _timeline(api, customer, token):
    return api.get(f"/admin/customers/{customer['id']}/timeline", token=token).json["items"]


# Reading

def test_a_subscription_started_at_checkout_is_on_the_customers_tab(api, admin_token, subscribe, place):
    # Given a customer whose checkout started a monthly subscription on November 2nd
    customer, subscription = subscribe("monthly")
    # Then staff see it, with its first renewal a month later and nothing private
    first_order = api.get(f"/admin/customers/{customer['id']}/orders", token=admin_token).json["items"][0]
    assert subscription["customer_id"] == customer["id"] and subscription["first_order_id"] == first_order["id"]
    assert (subscription["status"], subscription["frequency"], subscription["next_renewal_at"]) == (
        "active", "monthly", "2026-12-02T00:00:00.000Z")
    assert subscription["products"] == [{"sku": "MUG-01", "quantity": 2}]
    assert (subscription["renewals"], subscription["last_order_id"]) == (0, None)
    assert subscription["shipping_address"] == ADDRESS and "version" not in subscription
    tab = api.get(f"/admin/customers/{customer['id']}/subscriptions", token=admin_token).json
    assert tab == {"items": [subscription], "next_token": None}
    assert [e["type"] for e in _timeline(api, customer, admin_token)].count("subscription_created") == 1


def test_the_customers_tab_pages_newest_first(api, admin_token, subscribe, new_customer, clock):
    customer = new_customer()
    _, older = subscribe("weekly", customer=customer)
    clock.advance(minutes=1)
    _, newer = subscribe("quarterly", customer=customer)
    subscribe("monthly")  # another customer's
    first = api.get(f"/admin/customers/{customer['id']}/subscriptions?limit=1", token=admin_token).json
    assert [s["id"] for s in first["items"]] == [newer["id"]] and first["next_token"]
    rest = api.get(f"/admin/customers/{customer['id']}/subscriptions?limit=1&next_token={first['next_token']}",
                   token=admin_token).json
    assert [s["id"] for s in rest["items"]] == [older["id"]]
    garbage = api.get(f"/admin/customers/{customer['id']}/subscriptions?next_token=nonsense", token=admin_token)
    assert garbage.status == 400


def test_unknown_ids_are_404(api, admin_token, subscribe):
    assert _get(api, "01JUNKNOWN0000000000000000", admin_token).status == 404
    assert api.get("/admin/customers/nobody/subscriptions", token=admin_token).status == 404
    reply = api.patch("/admin/subscriptions/nothing-here", {"status": "paused"}, token=admin_token)
    assert (reply.status, reply.error_code) == (404, "not_found")


# Changing

def test_staff_pause_resume_and_reschedule_a_subscription(api, admin_token, subscribe):
    # Given an active monthly subscription
    customer, subscription = subscribe("monthly")
    # When an agent pauses it, then changes its frequency and next renewal day, then resumes it
    agent = staff_token("agent", subject="agent-7")
    assert _patch(api, subscription, {"status": "paused"}, agent).json["status"] == "paused"
    changed = _patch(api, subscription, {"frequency": "every_2_months", "next_renewal_at": "2026-12-15"}, agent).json
    assert (changed["frequency"], changed["next_renewal_at"]) == ("every_2_months", "2026-12-15T00:00:00.000Z")
    resumed = _patch(api, subscription, {"status": "active"}, agent).json
    # Then it is active with the new schedule, and each change is on the customer's timeline
    assert (resumed["status"], resumed["next_renewal_at"]) == ("active", "2026-12-15T00:00:00.000Z")
    assert _get(api, subscription["id"], admin_token).json == resumed
    events = [(e["type"], e["actor"]) for e in _timeline(api, customer, admin_token) if e["type"].startswith("subscription_")]
    assert events[:3] == [("subscription_resumed", "staff:agent-7"), ("subscription_updated", "staff:agent-7"),
                          ("subscription_paused", "staff:agent-7")]


def test_cancelled_is_final(api, admin_token, subscribe):
    # Given a cancelled subscription
    _, subscription = subscribe("weekly")
    assert _patch(api, subscription, {"status": "cancelled"}, admin_token).json["status"] == "cancelled"
    # Then nothing can change it any more
    for change in ({"status": "active"}, {"status": "paused"}, {"status": "cancelled"}, {"frequency": "monthly"}):
        reply = _patch(api, subscription, change, admin_token)
        assert (reply.status, reply.error_code) == (409, "conflict")
    assert _get(api, subscription["id"], admin_token).json["status"] == "cancelled"


@pytest.mark.parametrize("body", [
    {"status": "stopped"},  # unknown status
    {"frequency": "daily"},  # unknown frequency
    {"next_renewal_at": "2026-02-30"},  # not a date
    {"next_renewal_at": "next week"},
    {"next_renewal_at": "2026-12-15T10:30:00Z"},  # a day, not a moment
    {"next_renewal_at": "2026-11-02"},  # today (the clock): a renewal is a day after today
    {"next_renewal_at": "2026-10-01"},  # in the past
    {"status": "paused", "products": ["MUG-01"]},  # unknown field
    {},  # nothing to change
    {"status": None},
])
def test_bad_changes_are_422_and_change_nothing(api, admin_token, subscribe, clock, body):
    customer, subscription = subscribe("monthly")
    before = _timeline(api, customer, admin_token)
    reply = _patch(api, subscription, body, admin_token)
    assert (reply.status, reply.error_code) == (422, "validation_error"), reply.json
    assert _get(api, subscription["id"], admin_token).json == subscription
    assert _timeline(api, customer, admin_token) == before


def test_a_body_that_is_not_json_is_400(api, admin_token, subscribe):
    _, subscription = subscribe()
    reply = api.call("PATCH", f"/admin/subscriptions/{subscription['id']}", body=b"{status", token=admin_token)
    assert reply.status == 400


# Who may

def test_any_staff_reads_admins_and_agents_change_support_does_not(api, subscribe):
    customer, subscription = subscribe()
    support = staff_token("support")
    assert _get(api, subscription["id"], support).status == 200
    assert api.get(f"/admin/customers/{customer['id']}/subscriptions", token=support).status == 200
    reply = _patch(api, subscription, {"status": "paused"}, support)
    assert (reply.status, reply.error_code) == (403, "forbidden")
    assert _get(api, subscription["id"], support).json["status"] == "active"
    for reply in (api.get(f"/admin/subscriptions/{subscription['id']}"),
                  api.get(f"/admin/customers/{customer['id']}/subscriptions"),
                  api.patch(f"/admin/subscriptions/{subscription['id']}", {"status": "paused"})):
        assert reply.status == 401


def test_a_guest_cannot_start_a_subscription(aws):
    from chalicelib.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        subscriptions.create_for_checkout(None, [{"sku": "MUG-01", "quantity": 1}], "monthly", "o1", "card", "standard")
