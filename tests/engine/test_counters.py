"""Sequences under concurrency: order numbers never repeat; invoice numbers neither repeat nor skip.

These run on DynamoDB Local only (tests/engine/): moto's UpdateItem is not atomic across threads
(seen here: two concurrent ADDs returned the same value), so what they check is the engine's
atomicity, which only AWS's own engine has."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.store import counters
from chalicelib.store.models import DocumentItem


def test_concurrent_order_numbers_are_all_different(aws):
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: counters.next_value("orders", start=1001), range(40)))
    assert sorted(numbers) == list(range(1001, 1041))


def test_concurrent_gapless_numbers_are_consecutive_and_each_written_once(aws):
    # Given 30 writers each issuing one numbered document at the same time
    def issue(_):
        return counters.take_gapless("invoices", lambda tx, n: tx.save(DocumentItem("INVOICES", f"{n:08d}", body={"number": n})))

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(issue, range(30)))
    # Then the numbers are 1..30, each used once, each with its document
    assert sorted(numbers) == list(range(1, 31))
    stored = [d.body["number"] for d in DocumentItem.query("INVOICES", consistent_read=True)]
    assert stored == list(range(1, 31))
    assert counters.current("invoices") == 30
