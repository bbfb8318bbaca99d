"""The DynamoDB requests each HTTP route makes, counted on the wire, against DynamoDB Local.

Every route of the app gets one realistic request (chalice.test.Client). Exits non-zero when a route
has no request here (add one to `scenario`), when a request fails, or when GET /admin/customers/{id}
is not exactly one DynamoDB request (the customer page is ONE Query).

    cd /work/main && .venv/bin/python bench/requests_per_route.py
"""
import sys
import tempfile
from collections import Counter

import harness

CUSTOMER_PAGE = ("GET", "/admin/customers/{customer_id}")


class Recorder:
    """Counts the HTTP requests sent to DynamoDB (retries included) and the capacity they consumed.

    PynamoDB builds a botocore client per Connection, lazily. Its pre_dynamodb_send signal hands us
    each Connection just before a call, so our botocore handlers are on the client before its first
    request (unique_id: once per client). boto3 clients come from boto3's default session, which
    passes its handlers to every client it creates."""

    def __init__(self):
        import boto3
        from pynamodb.signals import pre_dynamodb_send

        self.operations: Counter[str] = Counter()
        self.capacity = 0.0
        self.capacity_seen = False
        pre_dynamodb_send.connect(self._attach)
        boto3.setup_default_session()
        self._register(boto3.DEFAULT_SESSION.events)

    def _attach(self, connection, **_):
        self._register(connection.client.meta.events)

    def _register(self, events):
        events.register("before-send.dynamodb", self._sent, unique_id="bench-requests")
        events.register("after-call.dynamodb", self._answered, unique_id="bench-capacity")

    def _sent(self, event_name, **_):
        self.operations[event_name.rsplit(".", 1)[-1]] += 1

    def _answered(self, parsed, **_):
        # PynamoDB asks for ReturnConsumedCapacity=TOTAL on data calls: a dict, or a list per table.
        consumed = parsed.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            self.capacity += entry.get("CapacityUnits", 0.0)
            self.capacity_seen = True

    def take(self) -> tuple[Counter, float | None]:
        """What was recorded since the last take."""
        taken = (self.operations, self.capacity if self.capacity_seen else None)
        self.operations, self.capacity, self.capacity_seen = Counter(), 0.0, False
        return taken


def scenario(api, admin: str):
    """Every route once, in an order where each request finds what the earlier ones created.
    Yields (method, route path, reply); the recorder's counts between two yields belong to one route."""
    reply = api.post("/admin/customers", {"email": "ann.smith@example.com", "first_name": "Ann", "last_name": "Smith",
                                          "phone": "+44 20 7946 0000", "company": "Acme"}, token=admin)
    yield "POST", "/admin/customers", reply
    customer = f"/admin/customers/{reply.json['id']}"
    yield "GET", "/admin/customers/{customer_id}", api.get(customer, token=admin)
    yield "PATCH", "/admin/customers/{customer_id}", api.patch(customer, {"last_name": "Smythe"}, token=admin)
    yield "GET", "/admin/customers", api.get("/admin/customers?limit=20", token=admin)
    yield "GET", "/admin/customers/{customer_id}/timeline", api.get(f"{customer}/timeline", token=admin)

    shopper = {"email": "bob.jones@example.com", "password": "correct horse battery"}
    yield "POST", "/store/customers", api.post("/store/customers", {**shopper, "first_name": "Bob", "last_name": "Jones"})
    reply = api.post("/store/login", shopper)
    yield "POST", "/store/login", reply
    token = reply.json["token"]
    yield "GET", "/store/me", api.get("/store/me", token=token)
    yield "PATCH", "/store/me", api.patch("/store/me", {"accepts_marketing": True}, token=token)

    yield "GET", "/openapi.json", api.get("/openapi.json")
    yield "GET", "/dev/mail", api.get("/dev/mail")
    yield "DELETE", "/admin/customers/{customer_id}", api.delete(customer, token=admin)


def describe(operations: Counter) -> str:
    return ", ".join(f"{name} x{n}" for name, n in sorted(operations.items())) or "none"


def main() -> int:
    with tempfile.TemporaryDirectory() as mail_dir, harness.running_table(DEV_ROUTES="true", MAIL_DIR=mail_dir):
        from chalice.test import Client

        from app import app
        from tests.support.api import Api, staff_token

        recorder = Recorder()
        routes = {(method, path) for path, methods in app.routes.items() for method in methods}
        rows, failures = [], []
        with Client(app) as client:
            for method, path, reply in scenario(Api(client), staff_token("admin")):
                operations, capacity = recorder.take()
                rows.append((method, path, reply.status, operations, capacity))
                if reply.status >= 400:
                    failures.append(f"{method} {path} answered {reply.status}: {reply.body[:200]!r}")

    unknown = sorted(routes - {(method, path) for method, path, *_ in rows})
    failures += [f"{method} {path}: no request for this route in bench/requests_per_route.py" for method, path in unknown]
    page = next((sum(ops.values()), ops) for method, path, _, ops, _ in rows if (method, path) == CUSTOMER_PAGE)
    check = "OK" if page[0] == 1 else "FAILED"
    if page[0] != 1:
        failures.append(f"{' '.join(CUSTOMER_PAGE)} made {page[0]} DynamoDB requests, not 1")

    print("DynamoDB requests per route (DynamoDB Local, one realistic request each):\n")
    print("| method | path | status | DynamoDB requests | capacity units |")
    print("|---|---|---|---|---|")
    for method, path, status, operations, capacity in rows:
        units = "-" if capacity is None else f"{capacity:g}"
        print(f"| {method} | {path} | {status} | {describe(operations)} | {units} |")
    print(f"\nCheck: {' '.join(CUSTOMER_PAGE)} is exactly 1 DynamoDB request: {check} ({describe(page[1])})")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
