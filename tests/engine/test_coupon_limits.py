"""A coupon's usage limit under concurrency: checkouts racing for the last uses never exceed it.

DynamoDB Local only (tests/engine/): what is checked is the atomicity of conditional writes in
concurrent transactions, which moto does not emulate."""
import random
import time
from concurrent.futures import ThreadPoolExecutor

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.coupons import Coupon
from chalicelib.store import coupons
from chalicelib.store.models import DocumentItem, transact_write

NOW = "2026-11-02T09:00:00.000Z"


def _checkout(n: int, coupon: Coupon) -> bool:
    """One checkout: its order (a document here) and the coupon's use in one transaction. A transaction
    cancelled because another one was busy with the same item is retried, as a client would."""
    for attempt in range(50):
        try:
            with transact_write() as tx:
                tx.save(DocumentItem("RACE_ORDERS", f"order-{n:02d}", body={"coupon": coupon.code}))
                coupons.stage_redemption(tx, coupon, f"cust:{n}")
            return True
        except TransactWriteError as error:
            if coupons.exhausted_reason(error) is not None:
                return False
            if not any(r is not None and r.code == "TransactionConflict" for r in error.cancellation_reasons or []):
                raise
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
    raise AssertionError(f"checkout {n} never got through")


def test_twenty_checkouts_racing_for_five_uses_redeem_exactly_five(aws):
    # Given a coupon that may be used 5 times in all (and once per customer)
    coupon = coupons.create(Coupon(code="RACE5", kind="percent", value=10, usage_limit=5, per_customer_limit=1,
                                   created_at=NOW, updated_at=NOW))
    # When 20 customers check out with it at the same time
    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(lambda n: _checkout(n, coupon), range(20)))
    # Then exactly 5 went through, the coupon counts 5 uses, and only their orders were written
    assert outcomes.count(True) == 5
    assert coupons.get("RACE5").used == 5
    winners = {f"order-{n:02d}" for n, ok in enumerate(outcomes) if ok}
    assert {d.SK for d in DocumentItem.query("RACE_ORDERS", consistent_read=True)} == winners
    assert all(coupons.uses_by("RACE5", f"cust:{n}") == (1 if ok else 0) for n, ok in enumerate(outcomes))
