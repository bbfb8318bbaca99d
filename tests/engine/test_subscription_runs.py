"""Subscription renewals run twice at the same moment (DynamoDB Local only: moto's writes are not
atomic across threads)."""
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.events.test_subscription_renewals import _renew, _renewal_orders, _sub, subscribe  # noqa: F401 (fixture)


def test_two_runs_at_the_same_time_place_one_order_per_period(api, admin_token, subscribe, clock):  # noqa: F811
    # Given a subscription three weeks late
    customer, subscription = subscribe("weekly")
    clock.advance(days=21)
    # When two runs start together, several times over
    barrier = threading.Barrier(2)

    def run():
        barrier.wait()
        return _renew()

    with ThreadPoolExecutor(2) as pool:
        placed = sum(pool.map(lambda _: run(), range(2)))
    placed += _renew()  # what both may have left (two transactions on one item can both be cancelled)
    # Then each period has exactly one order, whoever placed it
    assert placed == 3 and len(_renewal_orders(api, admin_token, customer, subscription)) == 3
    assert _sub(api, admin_token, subscription)["renewals"] == 3
