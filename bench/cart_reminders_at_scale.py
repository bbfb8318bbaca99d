"""With 100,000 open carts of which 20 are due: what one abandoned-cart reminder run reads.

Carts are written straight into DynamoDB Local with the repository's own item builder (batches, in
parallel): all open, with a line, for a customer; 20 idle for two hours, the rest touched a few
minutes ago. Then the reminder job runs once (the scheduled handler's service) and the script prints
its DynamoDB requests and the items DynamoDB read: it reads the due carts through the sparse index,
not the 100,000.

    cd /work/main && .venv/bin/python bench/cart_reminders_at_scale.py [N]
"""
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import harness

CARTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
DUE = 20
WRITERS = 6


def _write(numbers: range, customer_ids: list[str], recent: str, idle: str) -> int:
    from chalicelib.domain.carts import Cart, CartLine, CartState
    from chalicelib.domain.ids import new_id
    from chalicelib.store import carts as repo
    from chalicelib.store.models import TableItem

    with TableItem.batch_write() as batch:
        for n in numbers:
            due = n < DUE
            at = idle if due else recent
            cart = Cart(id=new_id(), state=CartState.OPEN, customer_id=customer_ids[n] if due else f"C{n:08d}",
                        lines=[CartLine("MUG-01", 1)], created_at=at, updated_at=at)
            batch.save(repo.item_of(cart))
    return len(numbers)


def main() -> None:
    with harness.running_table():
        from customers_at_scale import ItemsRead
        from requests_per_route import Recorder

        from chalicelib.domain import clock
        from chalicelib.domain.clock import iso
        from chalicelib.domain.customer_inputs import CustomerDraft
        from chalicelib.services import cart_reminders, customers

        recorder = Recorder()
        items_read = ItemsRead(recorder)
        now = clock.now()
        recent, idle = iso(now - timedelta(minutes=5)), iso(now - timedelta(hours=2))
        customer_ids = [customers.create_customer(CustomerDraft(email=f"due{n}@example.com", first_name="Due",
                                                                last_name=f"Shopper{n}"), "bench").id for n in range(DUE)]
        started = time.perf_counter()
        with ThreadPoolExecutor(WRITERS) as pool:
            written = sum(pool.map(lambda w: _write(range(w, CARTS, WRITERS), customer_ids, recent, idle), range(WRITERS)))
        print(f"loaded {written:,} open carts ({DUE} idle for 2 hours) in {time.perf_counter() - started:.0f} s")
        recorder.take(), items_read.take()
        started = time.perf_counter()
        queued = cart_reminders.send_cart_reminders()
        elapsed = time.perf_counter() - started
        operations, _ = recorder.take()
        requests = ", ".join(f"{op} x{n}" for op, n in sorted(Counter(operations).items()))
        print(f"\nOne reminder run over {CARTS:,} open carts ({DUE} due):\n")
        print("| reminders queued | DynamoDB requests | items read | time |\n|---|---|---|---|")
        print(f"| {queued} | {requests} | {items_read.take()} | {elapsed * 1000:.0f} ms |")
        again = cart_reminders.send_cart_reminders()
        operations, _ = recorder.take()
        print(f"\nA second run right after: {again} queued, items read {items_read.take()} "
              f"({', '.join(f'{op} x{n}' for op, n in sorted(Counter(operations).items()))})")
        if queued != DUE or again != 0:
            sys.exit(f"expected {DUE} reminders then none, got {queued} then {again}")


if __name__ == "__main__":
    main()
