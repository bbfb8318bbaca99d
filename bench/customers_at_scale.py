"""With 50,000 customers loaded: what a list page, a customer page and partial searches read.

Customers are loaded straight into DynamoDB Local with the repository's own item builders (profile
+ email guard + search entries, as `create` writes them, batch-written for speed), their names taken
from tests/data/shopify_customers_export.csv. Then each call goes through the HTTP API and the
script prints the DynamoDB requests and the items DynamoDB read (ScannedCount of Queries, items of
BatchGets) next to the items returned. Also prints the largest customer write (one transaction).

    cd /work/main && .venv/bin/python bench/customers_at_scale.py [N]
"""
import csv
import sys
import time
from collections import Counter
from pathlib import Path

import harness

CUSTOMERS = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
NAMES = Path(__file__).parents[1] / "tests" / "data" / "shopify_customers_export.csv"


WRITERS = 6


def _write(numbers: range, rows: list[dict]) -> int:
    """One writer: the items of customers `numbers`, in batches of 25."""
    from chalicelib.domain.clock import utc_now
    from chalicelib.domain.customers import Customer
    from chalicelib.domain.ids import new_id
    from chalicelib.store import customers as repo
    from chalicelib.store.models import CustomerItem, EmailGuardItem, TableItem

    written = 0
    with TableItem.batch_write() as batch:
        for n in numbers:
            row = rows[n % len(rows)]
            now = utc_now()
            customer = Customer(id=new_id(), email=f"c{n}.{row['Email'] or 'x@example.com'}", first_name=row["First Name"],
                                last_name=row["Last Name"], phone=(row["Phone"] or "").lstrip("'") or None,
                                created_at=now, updated_at=now)
            fields = {name: getattr(customer, name) for name in repo.PROFILE_FIELDS}
            items = [CustomerItem(PK=repo.customer_pk(customer.id), SK="PROFILE", **repo._index_attributes(customer), **fields),
                     EmailGuardItem(PK=repo._guard_pk(customer.email), SK="EMAIL", customer_id=customer.id),
                     *repo._search_entries(customer)]
            for item in items:
                batch.save(item)
            written += len(items)
    return written


def load(count: int) -> None:
    """Customers written by parallel writers (DynamoDB Local takes concurrent batches)."""
    from concurrent.futures import ThreadPoolExecutor

    rows = [r for r in csv.DictReader(NAMES.open(encoding="utf-8")) if r["First Name"] and r["Last Name"]]
    started = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        written = sum(pool.map(lambda w: _write(range(w, count, WRITERS), rows), range(WRITERS)))
    print(f"loaded {count} customers as {written} items in {time.perf_counter() - started:.0f} s")


class ItemsRead:
    """Items DynamoDB read for each answer: a Query's ScannedCount (before filters), a BatchGet's items."""

    def __init__(self, recorder):
        self.read = 0
        recorder._register = self._wrap(recorder._register)

    def _wrap(self, register):
        def both(events):
            register(events)
            events.register("after-call.dynamodb", self._answered, unique_id="bench-items-read")
        return both

    def _answered(self, parsed, **_):
        self.read += parsed.get("ScannedCount", 0)
        self.read += sum(len(items) for items in parsed.get("Responses", {}).values())

    def take(self) -> int:
        taken, self.read = self.read, 0
        return taken


def main() -> None:
    with harness.running_table():
        from requests_per_route import Recorder

        recorder = Recorder()
        items_read = ItemsRead(recorder)
        load(CUSTOMERS)
        from chalice.test import Client

        from app import app
        from tests.support.api import Api, staff_token

        token = staff_token("admin")
        with Client(app) as client:
            api = Api(client)
            some = api.get("/admin/customers?limit=1", token=token).json["items"][0]
            recorder.take(), items_read.take()
            calls = [
                ("list page (50)", "/admin/customers"),
                ("customer page", f"/admin/customers/{some['id']}"),
                ("search 'muller'", "/admin/customers?q=muller"),
                ("search 'ann'", "/admin/customers?q=ann"),
                ("search by phone '887 12'", "/admin/customers?q=887%2012"),
                (f"search '{some['last_name'][:5].lower()}'", f"/admin/customers?q={some['last_name'][:5].lower()}"),
            ]
            print(f"\nWith {CUSTOMERS:,} customers:\n")
            print("| call | DynamoDB requests | items read | items returned |\n|---|---|---|---|")
            for label, path in calls:
                reply = api.get(path, token=token)
                assert reply.status == 200, reply.json
                operations, _ = recorder.take()
                returned = len(reply.json["items"]) if "items" in reply.json else 1
                requests = ", ".join(f"{op} x{n}" for op, n in sorted(Counter(operations).items()))
                print(f"| {label} | {requests} | {items_read.take()} | {returned} |")


if __name__ == "__main__":
    main()
