"""Data for the fuzzer, made through the API as a merchant and a shopper would: one object of every kind
a path names (customer, address, note, tag, ticket, review, group, product, coupon, order, invoice, carts,
checkout link, subscription, email template, saved report, import job), and the tokens that open each route family."""
import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field

from chalicelib.domain.payments import SIGNATURE_HEADER, sign

ADDRESS = {"name": "Ann Smith", "line1": "221B Baker Street", "city": "London", "zip": "NW1 6XE", "country": "GB"}


@dataclass
class Seeded:
    url: str
    admin_token: str
    shopper: dict  # email and password of a registered shopper (hooks.py logs in with them)
    cart_token: str  # the guest cart's (X-Cart-Token)
    webhook_secret: str
    values: dict[str, str] = field(default_factory=dict)  # path parameter -> an existing object's id
    guest_cart_id: str = ""  # /store/carts/{cart_id}; values["cart_id"] is a customer's open cart (/admin/carts)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


class Client:
    def __init__(self, url: str):
        self.url = url

    def call(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
             raw: bytes | None = None, expect: tuple[int, ...] = (200, 201, 204)):
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {}),
                   **(headers or {})}
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, text = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        answer = json.loads(text or b"null")
        if status not in expect:
            raise RuntimeError(f"seeding: {method} {path} answered {status}: {answer}")
        return answer


def _wait_for(check, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise RuntimeError(f"seeding: timed out waiting for {what}")


def seed(url: str, admin_token: str, webhook_secret: str) -> Seeded:
    api = Client(url)

    def admin(method: str, path: str, body=None, **kwargs):
        return api.call(method, path, body, token=admin_token, **kwargs)

    values = {"name": "wire_transfer_instructions", "tag": "wholesale", "sku": "MUG-01", "code": "SPRING10"}
    admin("PATCH", "/admin/settings", {"invoicing": {"enabled": True}})
    values["group_id"] = admin("POST", "/admin/groups", {"name": "VIP clients", "discount_percent": 10})["id"]
    admin("POST", "/admin/custom-fields", {"key": "shoe_size", "label": "Shoe size", "type": "number"})
    admin("POST", "/admin/products", {"sku": "MUG-01", "name": "Enamel mug", "price": 1250, "category": "Kitchen",
                                      "brand": "Tinware", "stock": 500,
                                      "suppliers": [{"name": "Tinware", "price": 400}]})
    admin("POST", "/admin/products", {"sku": "TEA-01", "name": "Assam tea", "price": 800})
    admin("POST", "/admin/coupons", {"code": "SPRING10", "kind": "percent", "value": 10, "usage_limit": 1000})

    customer_id = admin("POST", "/admin/customers", {
        "email": "ann.smith@example.com", "first_name": "Ann", "last_name": "Smith", "phone": "+44 20 7946 0000",
        "group_id": values["group_id"], "custom_fields": {"shoe_size": 38}})["id"]
    customer = f"/admin/customers/{customer_id}"
    values["customer_id"] = customer_id
    values["address_id"] = admin("POST", f"{customer}/addresses", {**ADDRESS, "default_billing": True})["id"]
    values["note_id"] = admin("POST", f"{customer}/notes", {"text": "Prefers morning calls."})["id"]
    admin("POST", f"{customer}/tags", {"tag": "wholesale"})
    ticket = {"subject": "Parcel late", "message": "Where is it?"}
    values["ticket_id"] = admin("POST", f"{customer}/tickets", ticket)["id"]
    values["review_id"] = admin("POST", f"{customer}/reviews", {"sku": "MUG-01", "rating": 4, "text": "Sturdy."})["id"]

    # A registered shopper with a token, an address and an order of their own
    shopper = {"email": "bob.jones@example.com", "password": "a long password"}
    api.call("POST", "/store/customers", {**shopper, "first_name": "Bob", "last_name": "Jones"})
    customer_token = api.call("POST", "/store/login", shopper)["token"]
    api.call("POST", "/store/me/addresses", {**ADDRESS, "name": "Bob Jones"}, token=customer_token)

    # An order, paid through the webhook: the stream handler issues its invoice
    order = admin("POST", "/admin/orders", {"customer_id": customer_id, "lines": [{"sku": "MUG-01", "quantity": 2}],
                                            "payment_method": "card", "shipping_address": ADDRESS})
    values["order_id"] = order["id"]
    event = json.dumps({"id": "evt_fuzz_seed", "type": "payment.succeeded", "order_id": order["id"],
                        "amount": order["total"], "currency": order["currency"]}).encode()
    api.call("POST", "/webhooks/payments", raw=event,
             headers={SIGNATURE_HEADER: sign(webhook_secret, int(time.time()), event)})
    invoices = _wait_for(lambda: admin("GET", "/admin/invoices")["items"], "the seeded order's invoice")
    values["number"] = str(invoices[0]["number"])

    # A saved report and an import job waiting for its file
    values["report_id"] = admin("POST", "/admin/reports/saved", {"name": "Weekly sales", "report": "sales",
                                                                 "range": "last_7_days"})["id"]
    values["job_id"] = admin("POST", "/admin/imports", {"filename": "customers.csv"})["job"]["id"]

    # A guest's cart (X-Cart-Token)
    cart = api.call("POST", "/store/carts", {"attribution": {"channel": "newsletter"}})
    api.call("POST", f"/store/carts/{cart['id']}/items", {"sku": "MUG-01", "quantity": 1},
             headers={"X-Cart-Token": cart["cart_token"]})

    # A recurring cart checked out by staff: a subscription
    recurring = admin("POST", f"{customer}/carts")["id"]
    admin("POST", f"/admin/carts/{recurring}/items", {"sku": "TEA-01", "quantity": 2})
    admin("PATCH", f"/admin/carts/{recurring}", {"schedule": {"kind": "recurring", "frequency": "monthly"}})
    admin("POST", f"/admin/carts/{recurring}/checkout", {"payment_method": "wire_transfer"})
    values["subscription_id"] = admin("GET", f"{customer}/subscriptions")["items"][0]["id"]

    # The customer's open cart, sent as a checkout link
    values["cart_id"] = admin("POST", f"{customer}/carts")["id"]
    admin("POST", f"/admin/carts/{values['cart_id']}/items", {"sku": "MUG-01", "quantity": 1})
    values["token"] = admin("POST", f"/admin/carts/{values['cart_id']}/checkout-link", {"send_email": False})["token"]

    return Seeded(url=url, admin_token=admin_token, shopper=shopper, cart_token=cart["cart_token"],
                  webhook_secret=webhook_secret, values=values, guest_cart_id=cart["id"])
