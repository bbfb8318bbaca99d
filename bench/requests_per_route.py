"""The DynamoDB requests each HTTP route makes, counted on the wire, against DynamoDB Local.

Every route of the app (its Chalice route table, so new routes are noticed) gets a realistic request
through chalice.test.Client. Exits non-zero when a route has no request here (add one to `scenario`),
when a request fails, when GET /admin/customers/{id} is not exactly one DynamoDB request (the
customer page is ONE Query), or when listing orders by status or by dates takes more than one Query.

    cd /work/main && .venv/bin/python bench/requests_per_route.py
"""
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import harness

CUSTOMER_PAGE = ("GET", "/admin/customers/{customer_id}")
ORDER_LISTS = ("/admin/orders?payment_status=", "/admin/orders?from=&to=")  # one Query per page each
# A checkout reads the catalogue once (one BatchGetItem) and writes ONE transaction.
CHECKOUTS = (("POST", "/store/carts/{cart_id}/checkout"), ("POST", "/admin/carts/{cart_id}/checkout"))


class Recorder:
    """Counts the HTTP requests sent to DynamoDB (retries included) and the capacity they consumed.

    PynamoDB builds a botocore client per Connection, lazily. Its pre_dynamodb_send signal hands us
    each Connection just before a call, so our botocore handlers are on the client before its first
    request (unique_id: once per client); signals need blinker (moto[server] brings it). boto3
    clients come from boto3's default session, which passes its handlers to every client it creates."""

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


def new_id(reply) -> str:
    """The id of what a request created; a placeholder when it failed, so that the run goes on (the
    requests about it then fail too, and every failure is reported)."""
    return (reply.json or {}).get("id", "not-created") if reply.status < 400 else "not-created"


def verification_token(customer_id: str) -> str:
    """The token of the customer's queued verification email, read from the outbox item as the stream
    handler would (none runs here), with a client of its own so that the read is not counted."""
    import boto3

    items = boto3.Session().client("dynamodb").query(
        TableName=harness.TABLE_NAME, KeyConditionExpression="PK = :pk AND begins_with(SK, :mail)",
        ExpressionAttributeValues={":pk": {"S": f"CUST#{customer_id}"}, ":mail": {"S": "MAIL#"}})["Items"]
    links = [json.loads(i["context"]["S"])["link"] for i in items if i["template"]["S"] == "verify_email"]
    return parse_qs(urlparse(links[-1]).query)["token"][0] if links else "no-verification-email"


def scenario(api, admin: str):
    """Every route at least once, in an order where each request finds what the earlier ones made.
    Yields (method, route, reply): the requests counted between two yields belong to that route.
    A route may carry a query string, for lists read through different indexes."""
    yield "GET", "/admin/settings", api.get("/admin/settings", token=admin)
    yield "PATCH", "/admin/settings", api.patch("/admin/settings", {"require_email_verification": True,
                                                                    "invoicing": {"enabled": True}}, token=admin)
    yield "GET", "/admin/email-templates", api.get("/admin/email-templates", token=admin)
    yield "PATCH", "/admin/email-templates/{name}", api.patch("/admin/email-templates/wire_transfer_instructions", {
        "subject": "Order #{{ order.number }}: how to pay {{ order.total | money(order.currency) }}"}, token=admin)
    yield "GET", "/admin/groups", api.get("/admin/groups", token=admin)
    reply = api.post("/admin/groups", {"name": "VIP clients", "discount_percent": 10}, token=admin)
    yield "POST", "/admin/groups", reply
    group_id = new_id(reply)
    group = f"/admin/groups/{group_id}"
    yield "PATCH", "/admin/groups/{group_id}", api.patch(group, {"discount_percent": 15}, token=admin)
    yield "GET", "/admin/custom-fields", api.get("/admin/custom-fields", token=admin)
    yield "POST", "/admin/custom-fields", api.post(
        "/admin/custom-fields", {"key": "shoe_size", "label": "Shoe size", "type": "number"}, token=admin)
    yield "POST", "/admin/products", api.post("/admin/products", {  # its stock is tracked: orders take from it
        "sku": "MUG-01", "name": "Enamel mug", "price": 1250, "stock": 1000, "suppliers": [{"name": "Tinware", "price": 400}]},
        token=admin)
    yield "GET", "/admin/products/{sku}", api.get("/admin/products/MUG-01", token=admin)
    yield "PATCH", "/admin/products/{sku}", api.patch("/admin/products/MUG-01", {"price": 1300}, token=admin)
    yield "GET", "/admin/products", api.get("/admin/products", token=admin)
    yield "GET", "/store/products", api.get("/store/products")
    yield "GET", "/store/products/{sku}", api.get("/store/products/MUG-01")
    yield "POST", "/admin/coupons", api.post("/admin/coupons", {
        "code": "SPRING10", "kind": "percent", "value": 10, "min_subtotal": 2000, "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2036-01-01T00:00:00Z", "usage_limit": 100, "per_customer_limit": 1}, token=admin)
    yield "PATCH", "/admin/coupons/{code}", api.patch("/admin/coupons/SPRING10", {"value": 15}, token=admin)
    yield "GET", "/admin/coupons", api.get("/admin/coupons", token=admin)

    reply = api.post("/admin/customers", {
        "email": "ann.smith@example.com", "first_name": "Ann", "last_name": "Smith", "phone": "+44 20 7946 0000",
        "company": "Acme", "tags": ["newsletter"], "custom_fields": {"shoe_size": 38}}, token=admin)
    yield "POST", "/admin/customers", reply
    customer = f"/admin/customers/{new_id(reply)}"
    yield "GET", "/admin/customers/{customer_id}", api.get(customer, token=admin)
    yield "PATCH", "/admin/customers/{customer_id}", api.patch(
        customer, {"last_name": "Smythe", "group_id": group_id}, token=admin)
    yield "GET", "/admin/customers", api.get("/admin/customers?limit=20", token=admin)
    yield "GET", "/admin/customers?q=smyth", api.get("/admin/customers?q=smyth", token=admin)
    yield "GET", "/admin/customers/{customer_id}/timeline", api.get(f"{customer}/timeline", token=admin)
    reply = api.post(f"{customer}/addresses", {"line1": "221B Baker Street", "city": "London", "zip": "NW1 6XE",
                                               "country": "GB", "default_billing": True}, token=admin)
    yield "POST", "/admin/customers/{customer_id}/addresses", reply
    address = f"{customer}/addresses/{new_id(reply)}"
    yield "GET", "/admin/customers/{customer_id}/addresses", api.get(f"{customer}/addresses", token=admin)
    yield "PATCH", "/admin/customers/{customer_id}/addresses/{address_id}", api.patch(
        address, {"default_shipping": True}, token=admin)
    reply = api.post(f"{customer}/notes", {"text": "Prefers to be called in the morning."}, token=admin)
    yield "POST", "/admin/customers/{customer_id}/notes", reply
    note = f"{customer}/notes/{new_id(reply)}"
    yield "GET", "/admin/customers/{customer_id}/notes", api.get(f"{customer}/notes", token=admin)
    yield "PATCH", "/admin/customers/{customer_id}/notes/{note_id}", api.patch(
        note, {"text": "Prefers to be called after 10 am."}, token=admin)
    yield "DELETE", "/admin/customers/{customer_id}/notes/{note_id}", api.delete(note, token=admin)
    yield "POST", "/admin/customers/{customer_id}/tags", api.post(f"{customer}/tags", {"tag": "wholesale"}, token=admin)
    yield "GET", "/admin/customers?tag=wholesale", api.get("/admin/customers?tag=wholesale", token=admin)
    yield "DELETE", "/admin/customers/{customer_id}/tags/{tag}", api.delete(f"{customer}/tags/wholesale", token=admin)
    yield "POST", "/admin/customers/{customer_id}/resend-verification", api.post(
        f"{customer}/resend-verification", token=admin)
    yield "POST", "/admin/customers/{customer_id}/verify-email", api.post(f"{customer}/verify-email", token=admin)
    yield "GET", "/admin/customers/{customer_id}/emails", api.get(f"{customer}/emails", token=admin)
    yield "DELETE", "/admin/customers/{customer_id}/addresses/{address_id}", api.delete(address, token=admin)
    reply = api.post(f"{customer}/tickets", {"subject": "Parcel not delivered",
                                             "message": "Order 1042 shows delivered, nothing arrived."}, token=admin)
    yield "POST", "/admin/customers/{customer_id}/tickets", reply
    ticket = f"{customer}/tickets/{new_id(reply)}"
    yield "POST", "/admin/customers/{customer_id}/tickets/{ticket_id}/messages", api.post(
        f"{ticket}/messages", {"text": "Carrier contacted; a new parcel leaves today."}, token=admin)
    yield "GET", "/admin/customers/{customer_id}/tickets/{ticket_id}", api.get(ticket, token=admin)
    yield "PATCH", "/admin/customers/{customer_id}/tickets/{ticket_id}", api.patch(ticket, {"status": "closed"}, token=admin)
    yield "GET", "/admin/customers/{customer_id}/tickets", api.get(f"{customer}/tickets", token=admin)
    reply = api.post(f"{customer}/reviews", {"sku": "MUG-001", "rating": 4, "title": "Nice mug",
                                             "text": "Keeps the tea warm."}, token=admin)
    yield "POST", "/admin/customers/{customer_id}/reviews", reply
    review = f"{customer}/reviews/{new_id(reply)}"
    yield "PATCH", "/admin/customers/{customer_id}/reviews/{review_id}", api.patch(review, {"approved": True}, token=admin)
    yield "GET", "/admin/customers/{customer_id}/reviews", api.get(f"{customer}/reviews", token=admin)
    yield "DELETE", "/admin/customers/{customer_id}/reviews/{review_id}", api.delete(review, token=admin)

    shopper = {"email": "bob.jones@example.com", "password": "correct horse battery"}
    reply = api.post("/store/customers", {**shopper, "first_name": "Bob", "last_name": "Jones"})
    yield "POST", "/store/customers", reply
    yield "POST", "/store/verify-email", api.post("/store/verify-email", {"token": verification_token(new_id(reply))})
    reply = api.post("/store/login", shopper)
    yield "POST", "/store/login", reply
    me = (reply.json or {}).get("token", "not-issued")
    yield "GET", "/store/me", api.get("/store/me", token=me)
    yield "PATCH", "/store/me", api.patch("/store/me", {"accepts_marketing": True}, token=me)
    yield "POST", "/store/me/addresses", api.post("/store/me/addresses", {
        "line1": "1 Rue de Rivoli", "city": "Paris", "zip": "75001", "country": "FR", "default_shipping": True}, token=me)
    yield "GET", "/store/me/addresses", api.get("/store/me/addresses", token=me)
    yield "GET", "/admin/leads", api.get("/admin/leads", token=admin)
    yield from orders(api, admin, me, customer.rsplit("/", 1)[-1])
    subscription_id = yield from carts(api, admin, customer.rsplit("/", 1)[-1])
    yield "GET", "/admin/customers/{customer_id}/subscriptions", api.get(f"{customer}/subscriptions", token=admin)
    subscription = f"/admin/subscriptions/{subscription_id}"
    yield "GET", "/admin/subscriptions/{subscription_id}", api.get(subscription, token=admin)
    yield "PATCH", "/admin/subscriptions/{subscription_id}", api.patch(subscription, {"status": "paused"}, token=admin)

    yield from imports(api, admin)
    yield from reports(api, admin)
    yield from search_rebuild(api, admin)

    yield "GET", "/openapi.json", api.get("/openapi.json")
    yield "GET", "/dev/mail", api.get("/dev/mail")
    yield "DELETE", "/admin/customers/{customer_id}", api.delete(customer, token=admin)
    yield "DELETE", "/admin/groups/{group_id}", api.delete(group, token=admin)


@dataclass
class Done:
    """What a step that is not an HTTP request (a stream handler's work) answers."""

    status: int = 200
    body: bytes = b""


def handled(payload) -> Done:
    """An SQS or stream handler's answer: failed if it reports records to retry."""
    return Done(500 if (payload or {}).get("batchItemFailures") else 200, json.dumps(payload).encode())


def job_steps() -> Done:
    """Run what waits on the jobs queue as its handler would (hand-overs included)."""
    from tests.support.imports import run_jobs

    try:
        return Done(body=f"{run_jobs()} messages".encode())
    except AssertionError as error:
        return Done(500, str(error).encode())


def orders(api, admin: str, shopper: str, customer_id: str):
    """Orders: placed by staff, listed through each index, moved, edited, paid by webhook, invoiced."""
    import time

    from chalicelib.domain.payments import sign
    from chalicelib.services import invoices
    from chalicelib.settings import get_settings

    yield "POST", "/admin/products", api.post("/admin/products", {"sku": "TEA-01", "name": "Assam tea", "price": 800},
                                              token=admin)
    address = {"name": "Ann Smith", "line1": "221B Baker Street", "city": "London", "zip": "NW1 6XE", "country": "GB"}
    body = {"customer_id": customer_id, "lines": [{"sku": "MUG-01", "quantity": 2}], "payment_method": "card",
            "shipping_address": address}
    reply = api.post("/admin/orders", body, token=admin)
    yield "POST", "/admin/orders", reply
    order = (reply.json or {}) if reply.status < 400 else {"id": "not-created", "total": 0, "currency": "EUR"}
    path = f"/admin/orders/{order['id']}"
    yield "GET", "/admin/orders/{order_id}", api.get(path, token=admin)
    yield "GET", "/admin/orders", api.get("/admin/orders", token=admin)
    yield "GET", "/admin/orders?payment_status=", api.get("/admin/orders?payment_status=awaiting_payment", token=admin)
    yield "GET", "/admin/orders?from=&to=", api.get("/admin/orders?from=2026-01-01&to=2026-12-31", token=admin)
    yield "GET", "/admin/orders?delivery_method=", api.get("/admin/orders?delivery_method=express", token=admin)
    yield "GET", "/admin/orders?q=", api.get(f"/admin/orders?q={order.get('number', 0)}", token=admin)
    yield "POST", "/admin/orders/{order_id}/items", api.post(f"{path}/items", {"sku": "TEA-01", "quantity": 1}, token=admin)
    yield "PATCH", "/admin/orders/{order_id}/items/{sku}", api.patch(f"{path}/items/MUG-01", {"quantity": 3}, token=admin)
    yield "PATCH", "/admin/orders/{order_id}", api.patch(path, {"discount": {"kind": "percent", "value": 10}}, token=admin)
    raw = json.dumps({"id": "evt_bench_1", "type": "payment.succeeded", "order_id": order["id"],
                      "amount": api.get(path, token=admin).json["total"], "currency": order["currency"]}).encode()
    signature = sign(get_settings().payment_webhook_secret, int(time.time()), raw)
    yield "POST", "/webhooks/payments", api.call("POST", "/webhooks/payments", body=raw, headers={"Payment-Signature": signature})
    invoices.on_order_changed(order["id"])
    yield "STREAM", "invoice issued (table_changed, PDF to S3)", Done()
    yield "GET", "/admin/invoices", api.get("/admin/invoices", token=admin)
    yield "GET", "/admin/invoices/{number}", api.get("/admin/invoices/1", token=admin)
    yield "POST", "/admin/orders/{order_id}/status", api.post(f"{path}/status", {"status": "shipped"}, token=admin)
    yield "POST", "/admin/orders/{order_id}/notes", api.post(f"{path}/notes", {"text": "Gift wrap"}, token=admin)
    yield "GET", "/admin/orders/{order_id}/timeline", api.get(f"{path}/timeline", token=admin)
    yield "GET", "/admin/ordered-products", api.get("/admin/ordered-products", token=admin)
    yield "GET", "/admin/customers/{customer_id}/orders", api.get(f"/admin/customers/{customer_id}/orders", token=admin)
    yield "GET", "/store/me/orders", api.get("/store/me/orders", token=shopper)
    reply = api.post("/admin/orders", {**body, "is_test": True, "lines": [{"sku": "MUG-01", "quantity": 1},
                                                                          {"sku": "TEA-01", "quantity": 1}]}, token=admin)
    yield "POST", "/admin/orders (test order)", reply
    test_path = f"/admin/orders/{new_id(reply)}"
    yield "DELETE", "/admin/orders/{order_id}/items/{sku}", api.delete(f"{test_path}/items/TEA-01", token=admin)
    yield "DELETE", "/admin/orders/{order_id}", api.delete(test_path, token=admin)


def carts(api, admin: str, customer_id: str):
    """Carts: a guest's filled and checked out; an agent's cart for a customer, sent as a link, opened,
    and checked out in the customer's persona as a monthly subscription. Returns the subscription's id."""
    reply = api.post("/store/carts", {"attribution": {"channel": "newsletter"}})
    yield "POST", "/store/carts", reply
    guest = reply.json if reply.status < 400 else {"id": "not-created", "cart_token": "none"}
    auth, path = {"X-Cart-Token": guest["cart_token"]}, f"/store/carts/{guest['id']}"
    yield "POST", "/store/carts/{cart_id}/items", api.post(f"{path}/items", {"sku": "MUG-01", "quantity": 2}, headers=auth)
    yield "POST", "/store/carts/{cart_id}/items", api.post(f"{path}/items", {"sku": "TEA-01", "quantity": 1}, headers=auth)
    yield "PATCH", "/store/carts/{cart_id}/items/{sku}", api.patch(f"{path}/items/MUG-01", {"quantity": 3}, headers=auth)
    yield "DELETE", "/store/carts/{cart_id}/items/{sku}", api.delete(f"{path}/items/TEA-01", headers=auth)
    yield "POST", "/store/carts/{cart_id}/coupon", api.post(f"{path}/coupon", {"code": "SPRING10"}, headers=auth)
    yield "DELETE", "/store/carts/{cart_id}/coupon", api.delete(f"{path}/coupon", headers=auth)
    yield "POST", "/store/carts/{cart_id}/coupon", api.post(f"{path}/coupon", {"code": "SPRING10"}, headers=auth)
    yield "GET", "/store/carts/{cart_id}", api.get(path, headers=auth)
    yield "POST", "/store/carts/{cart_id}/checkout", api.post(f"{path}/checkout", {
        "email": "guest.buyer@example.com", "payment_method": "card", "shipping_address": {
            "name": "Gus Guest", "line1": "1 Quai Voltaire", "city": "Paris", "country": "FR"}},
        headers={**auth, "Idempotency-Key": "bench-checkout-1"})

    reply = api.post(f"/admin/customers/{customer_id}/carts", token=admin)
    yield "POST", "/admin/customers/{customer_id}/carts", reply
    path = f"/admin/carts/{new_id(reply)}"
    yield "POST", "/admin/carts/{cart_id}/items", api.post(f"{path}/items", {"sku": "TEA-01", "quantity": 2}, token=admin)
    yield "POST", "/admin/carts/{cart_id}/items", api.post(f"{path}/items", {"sku": "MUG-01", "quantity": 1}, token=admin)
    yield "PATCH", "/admin/carts/{cart_id}/items/{sku}", api.patch(f"{path}/items/TEA-01", {"quantity": 3}, token=admin)
    yield "DELETE", "/admin/carts/{cart_id}/items/{sku}", api.delete(f"{path}/items/MUG-01", token=admin)
    yield "PATCH", "/admin/carts/{cart_id}", api.patch(path, {"schedule": {"kind": "recurring", "frequency": "monthly"},
                                                              "attribution": {"affiliate": "blog-42"}}, token=admin)
    yield "GET", "/admin/carts/{cart_id}", api.get(path, token=admin)
    yield "GET", "/admin/carts", api.get("/admin/carts?state=open", token=admin)
    yield "GET", "/admin/carts?state=abandoned", api.get("/admin/carts?state=abandoned", token=admin)
    yield "GET", "/admin/customers/{customer_id}/carts", api.get(f"/admin/customers/{customer_id}/carts", token=admin)
    reply = api.post(f"{path}/checkout-link", {"send_email": True}, token=admin)
    yield "POST", "/admin/carts/{cart_id}/checkout-link", reply
    yield "GET", "/store/checkout-links/{token}", api.get(f"/store/checkout-links/{(reply.json or {}).get('token', 'none')}")
    yield "POST", "/admin/carts/{cart_id}/checkout", api.post(f"{path}/checkout", {"payment_method": "wire_transfer"},
                                                              token=admin, headers={"Idempotency-Key": "bench-phone-1"})
    listed = api.get(f"/admin/customers/{customer_id}/subscriptions", token=admin).json or {}
    return (listed.get("items") or [{"id": "not-created"}])[0]["id"]


# A merchant's file in a layout no preset knows (a French spreadsheet): it waits for a mapping. The
# third row has no email: rejected, it goes to the error file.
CLIENTS_CSV = ("Courriel;Prénom;Nom;Téléphone;Ville\n"
               "lea.martin@example.fr;Léa;Martin;+33 4 72 00 00 01;Lyon\n"
               "hugo.bernard@example.fr;Hugo;Bernard;+33 1 45 00 00 02;Paris\n"
               ";Chloé;Dubois;;Nantes\n").encode()


def imports(api, admin: str):
    """A customer import through the link: the file arrives (S3 -> SQS), staff map its columns, try a
    dry run, start it, and download the rejected rows; another upload is cancelled. The job steps run
    as the jobs queue's handler would run them (rows SQS)."""
    from urllib.request import Request, urlopen

    from tests.support.imports import announce, notification

    reply = api.post("/admin/imports", {"filename": "clients.csv"}, token=admin)
    yield "POST", "/admin/imports", reply
    ticket = reply.json if reply.status < 400 else {"job": {"id": "not-created", "source": "none"}, "upload_url": ""}
    job = f"/admin/imports/{ticket['job']['id']}"
    if ticket["upload_url"]:
        upload = Request(ticket["upload_url"], data=CLIENTS_CSV, method="PUT", headers={"Content-Type": "text/csv"})
        with urlopen(upload) as put:  # S3: not counted
            etag = put.headers["ETag"]
        yield "SQS", "file arrived (import_files_arrived)", handled(announce(notification(ticket["job"]["source"], etag)))
    yield "GET", "/admin/imports", api.get("/admin/imports", token=admin)
    reply = api.get(job, token=admin)
    yield "GET", "/admin/imports/{job_id}", reply
    mapping = (reply.json or {}).get("suggested_mapping") or {"Courriel": "email"}
    yield "PATCH", "/admin/imports/{job_id}", api.patch(job, {"mapping": mapping}, token=admin)
    yield "POST", "/admin/imports/{job_id}/dry-run", api.post(f"{job}/dry-run", token=admin)
    yield "SQS", "dry run, 3 rows (run_jobs)", job_steps()
    yield "POST", "/admin/imports/{job_id}/start", api.post(f"{job}/start", token=admin)
    yield "SQS", "import, 3 rows (run_jobs)", job_steps()
    yield "GET", "/admin/imports/{job_id}/errors", api.get(f"{job}/errors", token=admin)
    reply = api.post("/admin/imports", {"filename": "more clients.csv"}, token=admin)
    yield "POST", "/admin/imports (another file)", reply
    other = (reply.json or {}).get("job", {}).get("id", "not-created") if reply.status < 400 else "not-created"
    yield "POST", "/admin/imports/{job_id}/cancel", api.post(f"/admin/imports/{other}/cancel", token=admin)


def reports(api, admin: str):
    """The orders' stream records bring the report items up to date; staff read each report over a
    range, save one, run it, mail it weekly; the nightly job writes yesterday's files."""
    from datetime import date, timedelta

    import boto3

    from tests.support.schedules import run_schedule
    from tests.support.streams import deliver

    # The stream delivers each order's record (read here with a client of its own: not counted)
    reader = boto3.Session().client("dynamodb")
    orders = reader.query(TableName=harness.TABLE_NAME, IndexName="GSI1", KeyConditionExpression="GSI1PK = :orders",
                          ExpressionAttributeValues={":orders": {"S": "ORDERS"}})["Items"]
    records = [{"eventID": str(n), "eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/shop/stream/1",
                "dynamodb": {"Keys": {"PK": item["PK"], "SK": item["SK"]}, "NewImage": item, "SequenceNumber": str(n),
                             "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"}} for n, item in enumerate(orders, 1)]
    yield "STREAM", f"{len(records)} orders' records (table_changed: invoices, report items)", handled(deliver(*records))
    today = date.today()
    days_90 = f"from={today - timedelta(days=89)}&to={today}"
    yield "GET", "/admin/reports/sales", api.get(f"/admin/reports/sales?{days_90}&group_by=day", token=admin)
    yield "GET", "/admin/reports/sales?payment_method=", api.get(
        f"/admin/reports/sales?{days_90}&group_by=week&payment_method=card", token=admin)
    yield "GET", "/admin/reports/products", api.get(f"/admin/reports/products?{days_90}&sort=units_sold", token=admin)
    yield "GET", "/admin/reports/customers", api.get(f"/admin/reports/customers?{days_90}&group_by=month", token=admin)
    yield "GET", "/admin/reports/payments", api.get(f"/admin/reports/payments?{days_90}&group_by=month", token=admin)
    reply = api.post("/admin/reports/saved", {"name": "Sales this month", "report": "sales", "range": "this_month",
                                              "group_by": "day", "filters": {"delivery_method": "standard"}}, token=admin)
    yield "POST", "/admin/reports/saved", reply
    saved = f"/admin/reports/saved/{new_id(reply)}"
    yield "GET", "/admin/reports/saved", api.get("/admin/reports/saved", token=admin)
    yield "GET", "/admin/reports/saved/{report_id}", api.get(saved, token=admin)
    yield "PATCH", "/admin/reports/saved/{report_id}", api.patch(saved, {
        "schedule": "weekly", "recipients": ["owner@example.com"]}, token=admin)
    yield "GET", "/admin/reports/saved/{report_id}/run", api.get(f"{saved}/run", token=admin)
    files = run_schedule("generate_report_files")
    yield "SCHEDULE", "report files (generate_report_files)", Done(body=json.dumps(files).encode())
    yield "GET", "/admin/reports/files", api.get(
        f"/admin/reports/files?from={today - timedelta(days=7)}&to={today}", token=admin)
    yield "DELETE", "/admin/reports/saved/{report_id}", api.delete(saved, token=admin)


def search_rebuild(api, admin: str):
    """An admin rebuilds the search index: the job scans the table (its one Scan) and brings entries
    and list keys to today's fold."""
    reply = api.post("/admin/search-index/rebuilds", token=admin)
    yield "POST", "/admin/search-index/rebuilds", reply
    yield "SQS", "search index rebuild (run_jobs)", job_steps()
    yield "GET", "/admin/search-index/rebuilds", api.get("/admin/search-index/rebuilds", token=admin)
    yield "GET", "/admin/search-index/rebuilds/{job_id}", api.get(
        f"/admin/search-index/rebuilds/{new_id(reply)}", token=admin)


def describe(operations: Counter) -> str:
    return ", ".join(f"{name} x{n}" for name, n in sorted(operations.items())) or "none"


def main() -> int:
    with tempfile.TemporaryDirectory() as mail_dir, harness.running_table(DEV_ROUTES="true", MAIL_DIR=mail_dir), \
            harness.moto_s3("shop-documents", "shop-imports", "shop-reports", queues=("shop-jobs",)):
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
                    failures.append(f"{method} {path} answered {reply.status}: {reply.body[:300]!r}")

    unknown = sorted(routes - {(method, path.split("?")[0]) for method, path, *_ in rows})
    failures += [f"{method} {path}: no request for this route in bench/requests_per_route.py" for method, path in unknown]
    page = next((ops for method, path, _, ops, _ in rows if (method, path) == CUSTOMER_PAGE), Counter())
    check = "OK" if sum(page.values()) == 1 else "FAILED"
    if check != "OK":
        failures.append(f"{' '.join(CUSTOMER_PAGE)} made {sum(page.values())} DynamoDB requests, not 1")

    for method, path, _, operations, _ in rows:
        if path in ORDER_LISTS and operations["Query"] != 1:
            failures.append(f"{method} {path} made {operations['Query']} Queries, not 1")
        if (method, path) in CHECKOUTS and (operations["BatchGetItem"], operations["TransactWriteItems"]) != (1, 1):
            failures.append(f"{method} {path} made {describe(operations)}: not 1 BatchGetItem and 1 TransactWriteItems")
    print("DynamoDB requests per route (DynamoDB Local; one realistic request per row, in this order):\n")
    print("| method | path | status | DynamoDB requests | capacity units |")
    print("|---|---|---|---|---|")
    for method, path, status, operations, capacity in rows:
        units = "-" if capacity is None else f"{capacity:g}"
        print(f"| {method} | {path} | {status} | {describe(operations)} | {units} |")
    print(f"\nCheck: {' '.join(CUSTOMER_PAGE)} is exactly 1 DynamoDB request: {check} ({describe(page)})")
    print(f"Check: orders by payment status and by date range are 1 Query per page (+1 GetItem: the badge): "
          f"{'FAILED' if any('Queries' in f for f in failures) else 'OK'}")
    print(f"Check: a checkout reads the catalogue once (1 BatchGetItem) and writes 1 transaction: "
          f"{'FAILED' if any('BatchGetItem and' in f for f in failures) else 'OK'}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
