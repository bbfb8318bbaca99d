"""Reports read pre-aggregated items, so what they read does not grow with the orders. Measured on
DynamoDB Local with 10,000 orders over one year and 100,000 orders over another year of the same table,
the reads of both alternating (the machine is shared: noise then hits both alike):

- items read and time (best and median) of each report over 90 days, through the app's HTTP API: the sales
  report reads one item per day for the dimension it asks (90), whatever the number of orders;
- the stream handler's cost per order change (its transactions, through the real service);
- the cold start of the app answering a first sales report, against the minimal app (bench/cold_start.py).

The items are written directly: 100,000 orders are generated, each one's contribution computed with the
domain's own delta functions (what the stream handler applies per order), summed per item, and stored
with BatchWriteItem (store.report_aggregates.put_totals). Placing 100,000 orders through the stream
would take an hour here and give the same items.

    cd /work/main && .venv/bin/python bench/reports.py
"""
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta

import harness

SIZES = (10_000, 100_000)
DAYS, READ_FROM, READ_DAYS = 365, 274, 90  # each size's orders span a year; the reports read 90 of its days
FIRST_DAYS = {10_000: date(2025, 11, 1), 100_000: date(2027, 11, 1)}  # a year of its own for each size
RUNS = 15  # reads per report and size; the best and the median are printed, ratios use the best (the machine is shared)
TARGET_RATIO, COLD_TARGET = 1.2, 1.3  # COLD_TARGET: bench/cold_start.py's, quoted here
SKUS = [f"SKU-{n:03d}" for n in range(200)]
METHODS, DELIVERIES = ("card", "paypal", "wire_transfer", "cash_on_delivery"), ("standard", "express", "pickup")
GROUPS, COUNTRIES = ("default", "vip", "guests"), ("FR", "DE", "GB", "ES", "IT", "NL")


def read_range(size: int) -> dict[str, str]:
    start = FIRST_DAYS[size] + timedelta(days=READ_FROM)
    return {"from": start.isoformat(), "to": (start + timedelta(days=READ_DAYS - 1)).isoformat()}


def synthetic_orders(count: int, first_day: date, seed: int = 7) -> list:
    """`count` orders over the year from `first_day`: a quarter of the customers are guests (one order
    each), the others order about four times; 5% cancelled, 3% refunded a few days later, 1% test orders.
    Ids and customer keys carry the year, so two sets never share a customer."""
    from chalicelib.domain.reports import FactLine, OrderFacts

    rng = random.Random(seed)
    customers = max(1, count // 4)
    orders = []
    for n in range(count):
        day = first_day + timedelta(days=rng.randrange(DAYS))
        guest = rng.random() < 0.25
        lines = tuple(FactLine(sku, sku, rng.randint(1, 3), rng.choice((500, 1250, 2000, 4990)))
                      for sku in rng.sample(SKUS, rng.randint(1, 4)))
        roll = rng.random()
        status, payment = ("cancelled", "awaiting_payment") if roll < 0.05 else ("open", "paid")
        refunded = None
        if 0.05 <= roll < 0.08:
            payment, refunded = "refunded", (day + timedelta(days=rng.randint(0, 10))).isoformat()
        gross = sum(line.gross for line in lines)
        order_id = f"{first_day.year}-o{n}"
        orders.append(OrderFacts(
            order_id=order_id, customer_key=order_id if guest else f"{first_day.year}-c{rng.randrange(customers)}",
            is_guest=guest,
            placed_day=day.isoformat(), status=status, payment_status=payment, payment_method=rng.choice(METHODS),
            delivery_method=rng.choice(DELIVERIES), group_id="guests" if guest else rng.choice(GROUPS[:2]),
            country=rng.choice(COUNTRIES), currency="EUR", lines=lines, order_discount=gross // 20, shipping=490,
            total=gross - gross // 20 + 490, refunded_day=refunded, is_test=rng.random() < 0.01))
    return orders


def load(orders: list) -> dict[str, int]:
    """The report items of these orders, summed as the stream handler would have added them, written
    whole. Returns the items written per family."""
    from chalicelib.domain.reports import Deltas, add_into
    from chalicelib.domain.reports_customers import (
        activity_after,
        customer_day_deltas,
        customer_period_deltas,
    )
    from chalicelib.domain.reports_payments import payment_deltas
    from chalicelib.domain.reports_products import product_deltas
    from chalicelib.domain.reports_sales import sales_deltas
    from chalicelib.store import report_aggregates as repo

    totals: dict[str, Deltas] = {family: {} for family in ("sales", "products", "payments", "customer_days",
                                                           "customer_periods")}
    activities: dict[str, dict] = {}
    for facts in orders:
        for family, deltas in (("sales", sales_deltas), ("products", product_deltas), ("payments", payment_deltas),
                               ("customer_days", customer_day_deltas)):
            for key, figures in deltas(None, facts).items():
                add_into(totals[family], key, figures)
        activities[facts.customer_key] = activity_after(activities.get(facts.customer_key, {}), None, facts)
    for activity in activities.values():
        for key, figures in customer_period_deltas({}, activity).items():
            add_into(totals["customer_periods"], key, figures)
    for family, items in totals.items():
        repo.put_totals(family, items)
    repo.put_activities(repo.Activity(key, days, None) for key, days in activities.items())
    return {**{family: len(items) for family, items in totals.items()}, "activities": len(activities)}


class ItemRecorder:
    """Requests and items read from DynamoDB (Query/GetItem/BatchGetItem answers), as bench/requests_per_route.py."""

    def __init__(self):
        from requests_per_route import Recorder

        self.items = 0
        recorder = self

        class Counting(Recorder):
            def _answered(self, parsed, **kwargs):
                super()._answered(parsed, **kwargs)
                recorder.items += parsed.get("Count", 0) + int("Item" in parsed) + sum(
                    len(found) for found in (parsed.get("Responses") or {}).values())

        self.recorder = Counting()

    def take(self) -> tuple[Counter, int]:
        operations, _ = self.recorder.take()
        items, self.items = self.items, 0
        return operations, items


REPORTS = {
    "sales (no filter)": "/admin/reports/sales",
    "sales, payment_method=card": "/admin/reports/sales?payment_method=card",
    "sales, card + FR": "/admin/reports/sales?payment_method=card&country=FR",
    "sales, card + express + vip + DE": "/admin/reports/sales?payment_method=card&delivery_method=express&group=vip&country=DE",
    "sales by week": "/admin/reports/sales?group_by=week",
    "products": "/admin/reports/products",
    "payments": "/admin/reports/payments",
    "customers": "/admin/reports/customers",
}


def read_reports(api, token: str, recorder: ItemRecorder) -> dict[int, dict[str, dict]]:
    """Per size and report: requests and items of one read, and the best and median time of RUNS reads,
    the two sizes' reads alternating (after one read of each, not timed: a route's first request loads
    its modules)."""
    urls = {(size, label): f"{path}{'&' if '?' in path else '?'}from={read_range(size)['from']}&to={read_range(size)['to']}"
            for size in SIZES for label, path in REPORTS.items()}
    for url in urls.values():
        api.get(url, token=token)
    times: dict[tuple, list[float]] = {key: [] for key in urls}
    seen: dict[tuple, tuple[Counter, int]] = {}
    for _ in range(RUNS):
        for key, url in urls.items():
            recorder.take()
            started = time.perf_counter()
            reply = api.get(url, token=token)
            times[key].append((time.perf_counter() - started) * 1000)
            if reply.status != 200:
                sys.exit(f"{url}: {reply.status} {reply.body[:300]!r}")
            seen[key] = recorder.take()
    found: dict[int, dict[str, dict]] = {size: {} for size in SIZES}
    for (size, label), measured in times.items():
        operations, items = seen[(size, label)]
        found[size][label] = {"ms": min(measured), "median": statistics.median(measured), "items": items,
                              "requests": sum(operations.values()), "queries": operations["Query"]}
    return found


STREAM_SAMPLE = 200


def stream_cost(sample: list) -> dict:
    """The stream handler's work per new order (each family's transaction, the customer's activity),
    through the real service, on orders not loaded before."""
    from chalicelib.services import report_aggregates

    recorder = ItemRecorder()
    recorder.take()
    started = time.perf_counter()
    for facts in sample:
        report_aggregates.apply_change(f"{facts.order_id}-bench#1", None, facts)
    elapsed = (time.perf_counter() - started) * 1000
    operations, _ = recorder.take()
    return {"ms": elapsed / len(sample), "requests": sum(operations.values()) / len(sample),
            "operations": {name: count / len(sample) for name, count in operations.items()}}


def reports_cold_start() -> dict[str, float]:
    """Median cold start (import + first request, in process) of the app answering a 90-day sales
    report, and of the minimal app answering its customer page (bench/cold_start.py's child)."""
    import cold_start

    customer_event = cold_start.api_gateway_event(*cold_start.seed())
    token = customer_event["headers"]["Authorization"]
    path, days = "/admin/reports/sales", read_range(SIZES[-1])
    report_event = {**customer_event, "resource": path, "path": path, "pathParameters": None,
                    "queryStringParameters": days, "multiValueQueryStringParameters": {k: [v] for k, v in days.items()},
                    "headers": {**customer_event["headers"], "Authorization": token},
                    "requestContext": {**customer_event["requestContext"], "resourcePath": path, "path": f"/api{path}"}}
    cold_start.compile_bytecode()
    events = {"app": report_event, "minimal": customer_event}
    for name, event in events.items():  # warm-up, not counted
        cold_start.cold_start(name, event)
    runs: dict[str, list[float]] = {name: [] for name in events}
    for _ in range(7):
        for name, event in events.items():
            runs[name].append(cold_start.cold_start(name, event)["in_process"])
    return {name: statistics.median(values) for name, values in runs.items()}


def main() -> int:
    with harness.running_table(POWERTOOLS_LOG_LEVEL="WARNING"):  # no access log line per request
        from chalice.test import Client

        from app import app
        from tests.support.api import Api, staff_token

        recorder = ItemRecorder()
        for size in SIZES:
            started = time.perf_counter()
            written = load(synthetic_orders(size, FIRST_DAYS[size]))
            print(f"{size} orders: report items written in {time.perf_counter() - started:.0f} s: {written}", flush=True)
        with Client(app) as client:
            results = read_reports(Api(client), staff_token("admin"), recorder)
        per_order = stream_cost(synthetic_orders(STREAM_SAMPLE, date(2030, 1, 1)))
        cold = reports_cold_start()

    small, large = SIZES
    print(f"\nReports over 90 days ({read_range(small)['from']}..{read_range(small)['to']} of the {small:,} orders' "
          f"year, {read_range(large)['from']}..{read_range(large)['to']} of the {large:,} orders'), DynamoDB Local, "
          f"{RUNS} reads each through the HTTP API (chalice.test.Client), alternating; ms: best (median):\n")
    print(f"| report | items read, {small:,} orders | items read, {large:,} orders | requests | "
          f"ms, {small:,} | ms, {large:,} | time ratio (best) |")
    print("|---|---|---|---|---|---|---|")
    for label in REPORTS:
        a, b = results[small][label], results[large][label]
        print(f"| {label} | {a['items']} | {b['items']} | {b['requests']} ({b['queries']} Query) | "
              f"{a['ms']:.1f} ({a['median']:.1f}) | {b['ms']:.1f} ({b['median']:.1f}) | {b['ms'] / a['ms']:.2f} |")
    failures = []
    for label in [label for label in REPORTS if label.startswith("sales")]:
        a, b = results[small][label], results[large][label]
        if max(a["items"], b["items"]) > 90:
            failures.append(f"{label}: {a['items']} and {b['items']} items read (at most one per day: 90)")
    # Every day has orders in both sizes: the same 90 items, so about the same time.
    for label in ("sales (no filter)", "sales, payment_method=card", "sales by week"):
        a, b = results[small][label], results[large][label]
        if a["items"] != b["items"]:
            failures.append(f"{label}: {a['items']} and {b['items']} items read (the same for both sizes)")
        if b["ms"] / a["ms"] > TARGET_RATIO:
            failures.append(f"{label}: time ratio {b['ms'] / a['ms']:.2f} > {TARGET_RATIO}")
    print(f"\nStream handler, per new order (through services.report_aggregates, {STREAM_SAMPLE} orders): "
          f"{per_order['ms']:.1f} ms, {per_order['requests']:.1f} DynamoDB requests "
          f"({', '.join(f'{name} {n:.1f}' for name, n in sorted(per_order['operations'].items()))})")
    ratio = cold["app"] / cold["minimal"]
    print(f"\nCold start, import + first request, median of 7: app answering the 90-day sales report "
          f"{cold['app']:.0f} ms, minimal app (its customer page) {cold['minimal']:.0f} ms: ratio {ratio:.2f} "
          f"(target <= {COLD_TARGET}: {'met' if ratio <= COLD_TARGET else 'NOT met'}; its query is a msgspec Struct, "
          "so a report's first request loads no pydantic)")
    print("\nChecks: sales reports read at most one item per day; unfiltered and one-filter reports the same 90 "
          f"items for both sizes, time ratio <= {TARGET_RATIO}: {'OK' if not failures else 'FAILED'}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
