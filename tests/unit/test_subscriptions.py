"""The subscription rules without storage: period dates, renewal order ids, staff changes."""
import dataclasses
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from ulid import ULID

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.subscriptions import (
    FREQUENCIES,
    Subscription,
    SubscriptionChanges,
    change_events,
    changed,
    following_renewal,
    new_subscription,
    next_date,
    renewal_order_id,
)

NOW = datetime(2027, 1, 31, 15, 30, tzinfo=UTC)
CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def _subscription(**fields) -> Subscription:
    base = new_subscription("c1", [{"sku": "MUG-01", "quantity": 2}], "monthly", "o1", "card", "standard", None, None,
                            {"channel": "storefront"}, NOW)
    return dataclasses.replace(base, version=1, **fields)


# Dates

@pytest.mark.parametrize("start, frequency, expected", [
    ("2027-01-31T00:00:00.000Z", "monthly", "2027-02-28T00:00:00.000Z"),  # clamped to the month's end
    ("2028-01-31T00:00:00.000Z", "monthly", "2028-02-29T00:00:00.000Z"),  # a leap year
    ("2027-02-28T00:00:00.000Z", "monthly", "2027-03-28T00:00:00.000Z"),  # no anchor: the day itself
    ("2027-11-30T00:00:00.000Z", "quarterly", "2028-02-29T00:00:00.000Z"),
    ("2027-12-31T00:00:00.000Z", "every_2_months", "2028-02-29T00:00:00.000Z"),
    ("2027-12-15T00:00:00.000Z", "monthly", "2028-01-15T00:00:00.000Z"),  # over the year's end
    ("2027-12-29T00:00:00.000Z", "weekly", "2028-01-05T00:00:00.000Z"),
    ("2027-02-22T00:00:00.000Z", "every_2_weeks", "2027-03-08T00:00:00.000Z"),
])
def test_next_date_adds_calendar_months_or_days(start, frequency, expected):
    assert next_date(start, frequency) == expected


def test_a_date_clamped_to_a_months_end_goes_back_to_its_anchor_day():
    dates = ["2027-01-31T00:00:00.000Z"]
    for _ in range(4):
        dates.append(next_date(dates[-1], "monthly", anchor_day=31))
    assert [d[:10] for d in dates] == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]
    # a date staff chose mid-month keeps its own day
    assert next_date("2027-03-15T00:00:00.000Z", "monthly", anchor_day=31) == "2027-04-15T00:00:00.000Z"


def test_a_new_subscription_renews_one_period_after_today_and_follows_its_anchor():
    subscription = _subscription()
    assert (subscription.status, subscription.next_renewal_at) == ("active", "2027-02-28T00:00:00.000Z")
    assert following_renewal(subscription) == "2027-03-31T00:00:00.000Z"
    assert subscription.products[0].sku == "MUG-01" and subscription.renewals == 0


def test_unknown_frequencies_are_refused():
    with pytest.raises(ValueError):
        next_date("2027-01-31T00:00:00.000Z", "daily")
    with pytest.raises(InvalidInput):
        new_subscription("c1", [{"sku": "MUG-01", "quantity": 1}], "daily", None, "card", "standard", None, None, None, NOW)
    assert set(FREQUENCIES) == {"weekly", "every_2_weeks", "monthly", "every_2_months", "quarterly"}


@pytest.mark.parametrize("lines, payment, delivery", [
    ([], "card", "standard"), ([{"sku": "MUG-01", "quantity": 0}], "card", "standard"),
    ([{"sku": "MUG-01", "quantity": 1}], "bitcoin", "standard"),
])  # the delivery method is the store's: checkout checks it against the settings (tests/api/test_delivery_methods.py)
def test_a_subscription_needs_lines_and_known_methods(lines, payment, delivery):
    with pytest.raises(InvalidInput):
        new_subscription("c1", lines, "weekly", None, payment, delivery, None, None, None, NOW)


# Renewal order ids

def test_a_renewal_order_id_is_a_ulid_of_its_period_and_always_the_same():
    period = "2027-02-28T00:00:00.000Z"
    order_id = renewal_order_id("01SUB", period)
    assert len(order_id) == 26 and set(order_id) <= CROCKFORD
    assert ULID.from_str(order_id).datetime == datetime(2027, 2, 28, tzinfo=UTC)
    assert renewal_order_id("01SUB", period) == order_id


def test_renewal_order_ids_differ_per_period_and_per_subscription():
    ids = {renewal_order_id(sub, period) for sub in ("01SUB", "01SUC")
           for period in ("2027-02-28T00:00:00.000Z", "2027-03-31T00:00:00.000Z")}
    assert len(ids) == 4
    # later periods sort after earlier ones, like any ULID
    assert renewal_order_id("01SUB", "2027-02-28T00:00:00.000Z") < renewal_order_id("01SUB", "2027-03-31T00:00:00.000Z")


# Changes

def test_changes_need_at_least_one_known_field():
    assert SubscriptionChanges.model_validate({"next_renewal_at": "2027-03-15"}).next_renewal_at == date(2027, 3, 15)
    for body in ({}, {"status": "stopped"}, {"frequency": "daily"}, {"next_renewal_at": "2027-02-30"}, {"lines": []}):
        with pytest.raises(ValidationError):
            SubscriptionChanges.model_validate(body)


def test_cancelled_is_final():
    subscription = changed(_subscription(), SubscriptionChanges(status="cancelled"), NOW)
    assert subscription.status == "cancelled"
    for change in (SubscriptionChanges(status="active"), SubscriptionChanges(frequency="weekly")):
        with pytest.raises(Conflict):
            changed(subscription, change, NOW)


def test_resuming_after_the_date_passed_skips_to_the_next_date_of_the_schedule():
    paused = changed(_subscription(), SubscriptionChanges(status="paused"), NOW)
    later = datetime(2027, 4, 10, tzinfo=UTC)
    resumed = changed(paused, SubscriptionChanges(status="active"), later)
    assert (resumed.status, resumed.next_renewal_at) == ("active", "2027-04-30T00:00:00.000Z")
    assert [e.type for e in change_events("staff:ann", paused, resumed)] == ["subscription_resumed", "subscription_updated"]


def test_the_next_renewal_is_a_day_after_today():
    with pytest.raises(InvalidInput):
        changed(_subscription(), SubscriptionChanges(next_renewal_at=date(2027, 1, 31)), NOW)
    moved = changed(_subscription(), SubscriptionChanges(next_renewal_at=date(2027, 2, 1)), NOW)
    assert moved.next_renewal_at == "2027-02-01T00:00:00.000Z"


def test_a_change_to_what_it_already_is_changes_nothing():
    subscription = _subscription()
    assert changed(subscription, SubscriptionChanges(status="active", frequency="monthly"), NOW) is subscription
