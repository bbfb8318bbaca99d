"""The daily schedule renews subscriptions: one order per period, whatever runs twice, overlaps or
comes late; paused and cancelled subscriptions are left alone; products no longer sold are skipped."""
from datetime import UTC, datetime

import pytest

from chalicelib.domain.subscriptions import renewal_order_id
from chalicelib.services import subscriptions
from chalicelib.store import subscriptions as subscription_store
from chalicelib.store.models import transact_write
from tests.support.orders import ADDRESS
from tests.support.schedules import run_schedule

ATTRIBUTION = {"channel": "storefront", "utm_source": "newsletter"}


@pytest.fixture
def subscribe(api, place, new_customer, clock):
    """Factory: a customer's first order and the subscription its checkout starts (as carts will do:
    built by the service, written by the store inside a transaction), on the test clock."""

    def make(frequency="monthly", lines=({"sku": "MUG-01", "quantity": 2},), customer=None):
        customer = customer or new_customer()
        first = place(customer_id=customer["id"], lines=list(lines))
        subscription = subscriptions.create_for_checkout(customer["id"], list(lines), frequency, first["id"], "card",
                                                         "standard", shipping_address=ADDRESS, attribution=ATTRIBUTION)
        with transact_write() as tx:
            subscription_store.stage_create(tx, subscription)
        return customer, subscription

    return make


def _at(clock, *day, hour=9):
    clock.current = datetime(*day, hour, tzinfo=UTC)


def _renew():
    return subscriptions.renew_due_subscriptions()


def _orders(api, token, customer):
    return api.get(f"/admin/customers/{customer['id']}/orders", token=token).json["items"]


def _renewal_orders(api, token, customer, subscription):
    return [o for o in _orders(api, token, customer) if o["attribution"].get("subscription_id") == subscription.id]


def _sub(api, token, subscription):
    return api.get(f"/admin/subscriptions/{subscription.id}", token=token).json


def _run_schedule():
    return run_schedule("renew_subscriptions")


# Periods

def test_a_monthly_subscription_from_jan_31_renews_at_each_months_end(api, admin_token, subscribe, clock):
    # Given a monthly subscription started on January 31st
    _at(clock, 2027, 1, 31)
    customer, subscription = subscribe("monthly")
    assert subscription.next_renewal_at == "2027-02-28T00:00:00.000Z"
    # When the job runs the day before, nothing is due
    _at(clock, 2027, 2, 27)
    assert _renew() == 0
    # When it runs on February 28th, one order is placed and the next renewal is March 31st
    _at(clock, 2027, 2, 28)
    assert _renew() == 1
    assert _sub(api, admin_token, subscription)["next_renewal_at"] == "2027-03-31T00:00:00.000Z"
    # And the price of the day is the catalogue's: the mug costs more in March
    assert api.patch("/admin/products/MUG-01", {"price": 1300}, token=admin_token).status == 200
    _at(clock, 2027, 3, 31)
    assert _renew() == 1
    assert _sub(api, admin_token, subscription)["next_renewal_at"] == "2027-04-30T00:00:00.000Z"
    # Then each renewal is one order, named after its period, priced from the catalogue, attributed
    renewals = _renewal_orders(api, admin_token, customer, subscription)
    assert [o["id"] for o in renewals] == [renewal_order_id(subscription.id, "2027-03-31T00:00:00.000Z"),
                                           renewal_order_id(subscription.id, "2027-02-28T00:00:00.000Z")]
    assert [o["lines"][0]["unit_price"] for o in renewals] == [1300, 1250]
    assert all(o["attribution"] == {**ATTRIBUTION, "subscription_id": subscription.id} for o in renewals)
    assert all((o["payment_method"], o["delivery_method"], o["shipping_address"]) == ("card", "standard", ADDRESS)
               for o in renewals)
    # And the customer's card counts the first order and both renewals
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).json["stats"]["order_count"] == 3
    shown = _sub(api, admin_token, subscription)
    assert (shown["renewals"], shown["last_order_id"]) == (2, renewals[0]["id"])


def test_a_weekly_subscription_renews_every_seven_days(api, admin_token, subscribe, clock):
    # Given a weekly subscription started on Monday November 2nd 2026
    customer, subscription = subscribe("weekly")
    # When the job runs each week for three weeks (and once more the same day)
    for _week in range(3):
        clock.advance(days=7)
        assert _renew() == 1
        assert _renew() == 0
    # Then three orders were placed, and the fourth renewal is on November 30th
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 3
    assert _sub(api, admin_token, subscription)["next_renewal_at"] == "2026-11-30T00:00:00.000Z"
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).json["stats"]["order_count"] == 4


def test_a_late_job_renews_each_missed_period_up_to_twelve_per_run(api, admin_token, subscribe, clock):
    # Given a weekly subscription and a job that did not run for 14 weeks
    customer, subscription = subscribe("weekly")
    clock.advance(weeks=14)
    # When it runs, twelve missed periods are renewed; the next run renews the two left
    assert _renew() == 12
    assert _renew() == 2
    assert _renew() == 0
    # Then there is exactly one order per period, and the next renewal is after today
    periods = {o["id"] for o in _renewal_orders(api, admin_token, customer, subscription)}
    assert len(periods) == 14
    assert _sub(api, admin_token, subscription)["next_renewal_at"] == "2027-02-15T00:00:00.000Z"


# Exactly once

def test_the_job_run_twice_the_same_day_places_no_second_order(api, admin_token, subscribe, clock):
    customer, subscription = subscribe("every_2_weeks")
    clock.advance(days=14)
    assert (_renew(), _renew()) == (1, 0)
    clock.advance(hours=10)
    assert _renew() == 0
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 1


def test_a_run_that_read_a_period_already_renewed_places_nothing(api, admin_token, subscribe, clock):
    # Given a run that read the subscription when it was due
    customer, subscription = subscribe("monthly")
    clock.advance(days=31)
    stale = subscription_store.get(subscription.id)
    # When another run renews it first, then the slow run goes on with what it read
    assert _renew() == 1
    assert subscriptions.renew_period(stale) is None
    # Then the period has one order and the subscription advanced once
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 1
    assert _sub(api, admin_token, subscription)["renewals"] == 1
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).json["stats"]["order_count"] == 2


def test_a_renewal_of_a_subscription_changed_meanwhile_is_refused_whole(api, admin_token, subscribe, clock):
    # Given a run that read the subscription when it was due
    customer, subscription = subscribe("monthly")
    clock.advance(days=31)
    stale = subscription_store.get(subscription.id)
    # When staff change it before the run writes (its version moves, the period stays)
    assert api.patch(f"/admin/subscriptions/{subscription.id}", {"frequency": "weekly"}, token=admin_token).status == 200
    # Then the run's transaction (order + advance) is cancelled by the subscription's condition
    assert subscriptions.renew_period(stale) is None
    assert _renewal_orders(api, admin_token, customer, subscription) == []
    assert api.get(f"/admin/orders/{renewal_order_id(subscription.id, stale.next_renewal_at)}", token=admin_token).status == 404
    # And the next run renews the period once, then moves by the new frequency
    assert (_renew(), _renew()) == (1, 0)
    assert _sub(api, admin_token, subscription)["next_renewal_at"] == "2026-12-09T00:00:00.000Z"


def test_every_due_subscription_is_renewed_page_after_page(api, admin_token, subscribe, clock, monkeypatch):
    # Given three due subscriptions and a job reading them two at a time
    monkeypatch.setattr(subscriptions, "_DUE_PAGE", 2)
    started = [subscribe("weekly") for _ in range(3)]
    clock.advance(days=7)
    # When it runs, each is renewed once
    assert (_renew(), _renew()) == (3, 0)
    assert all(len(_renewal_orders(api, admin_token, customer, sub)) == 1 for customer, sub in started)


# Paused, cancelled

def test_a_paused_subscription_is_not_renewed_until_resumed(api, admin_token, subscribe, clock):
    # Given a paused monthly subscription (due December 2nd)
    customer, subscription = subscribe("monthly")
    assert api.patch(f"/admin/subscriptions/{subscription.id}", {"status": "paused"}, token=admin_token).status == 200
    # When its date passes, the job renews nothing
    clock.advance(days=40)
    assert _renew() == 0
    # When staff resume it on December 12th, the missed period is skipped: next is January 2nd
    resumed = api.patch(f"/admin/subscriptions/{subscription.id}", {"status": "active"}, token=admin_token).json
    assert (resumed["status"], resumed["next_renewal_at"]) == ("active", "2027-01-02T00:00:00.000Z")
    assert _renew() == 0
    # Then it renews on that day
    _at(clock, 2027, 1, 2)
    assert _renew() == 1
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 1


def test_a_cancelled_subscription_is_never_renewed(api, admin_token, subscribe, clock):
    customer, subscription = subscribe("weekly")
    assert api.patch(f"/admin/subscriptions/{subscription.id}", {"status": "cancelled"}, token=admin_token).status == 200
    for _ in range(3):
        clock.advance(days=7)
        assert _renew() == 0
    assert _renewal_orders(api, admin_token, customer, subscription) == []


# The catalogue and the customer change

def test_products_no_longer_sold_are_left_out_and_none_left_pauses(api, admin_token, subscribe, clock):
    # Given a subscription to mugs and tea, and the mug archived
    customer, subscription = subscribe("weekly", lines=({"sku": "MUG-01", "quantity": 2}, {"sku": "TEA-01", "quantity": 1}))
    assert api.patch("/admin/products/MUG-01", {"status": "archived"}, token=admin_token).status == 200
    # When it renews, the order holds the tea only
    clock.advance(days=7)
    assert _renew() == 1
    [order] = _renewal_orders(api, admin_token, customer, subscription)
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("TEA-01", 1)]
    # When the tea is archived too, the next renewal places nothing and pauses the subscription
    assert api.patch("/admin/products/TEA-01", {"status": "archived"}, token=admin_token).status == 200
    clock.advance(days=7)
    assert _renew() == 0
    shown = _sub(api, admin_token, subscription)
    assert (shown["status"], shown["renewals"]) == ("paused", 1)
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 1
    events = api.get(f"/admin/customers/{customer['id']}/timeline", token=admin_token).json["items"]
    paused = [e for e in events if e["type"] == "subscription_paused"]
    assert [(e["actor"], e["data"]["reason"]) for e in paused] == [("system:subscriptions", "products_unavailable")]


def test_a_blocked_customers_subscription_is_paused_not_renewed(api, admin_token, subscribe, clock):
    customer, subscription = subscribe("weekly")
    assert api.patch(f"/admin/customers/{customer['id']}", {"status": "blocked"}, token=admin_token).status == 200
    clock.advance(days=7)
    assert _renew() == 0
    assert _sub(api, admin_token, subscription)["status"] == "paused"
    assert _renewal_orders(api, admin_token, customer, subscription) == []


# The schedule

def test_the_daily_schedule_renews_what_is_due(api, admin_token, subscribe, clock):
    customer, subscription = subscribe("weekly")
    subscribe("monthly")
    clock.advance(days=7)
    assert _run_schedule() == {"renewed": 1}
    assert _run_schedule() == {"renewed": 0}
    assert len(_renewal_orders(api, admin_token, customer, subscription)) == 1
