"""A shop with one object of every kind a route path names, made through the API as a merchant and a
shopper would: for tests that walk the route registry (every PATCH body, every /store answer)."""
from dataclasses import dataclass, field

from tests.support.orders import ADDRESS, add_catalogue


@dataclass
class World:
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name -> an existing object's id
    customer_token: str = ""  # the registered shopper's (/store/me...)
    guest_cart_id: str = ""  # a guest's open cart (/store/carts/{cart_id})
    cart_token: str = ""  # its X-Cart-Token

    def path(self, template: str) -> str:
        """`template` with its {parameters} filled from `ids` (the guest cart for /store/carts)."""
        ids = {**self.ids, "cart_id": self.guest_cart_id} if template.startswith("/store/carts/") else self.ids
        return template.format(**ids)


def _ok(reply, *statuses: int):
    assert reply.status in (statuses or (200, 201)), reply.json
    return reply.json


def build_world(api, admin_token: str) -> World:
    def admin(method: str, path: str, body=None):
        return _ok(api.call(method, path, json=body, token=admin_token))

    add_catalogue(api, admin_token)
    world = World(ids={"sku": "MUG-01", "code": "SPRING10", "name": "order_received", "tag": "wholesale"})
    ids = world.ids
    ids["group_id"] = admin("POST", "/admin/groups", {"name": "VIP clients", "discount_percent": 10})["id"]
    admin("POST", "/admin/coupons", {"code": "SPRING10", "kind": "percent", "value": 10})
    customer = admin("POST", "/admin/customers", {"email": "ann.smith@example.com", "first_name": "Ann", "last_name": "Smith",
                                                 "phone": "+44 20 7946 0000", "group_id": ids["group_id"]})
    ids["customer_id"] = customer["id"]
    tab = f"/admin/customers/{customer['id']}"
    ids["address_id"] = admin("POST", f"{tab}/addresses", {**ADDRESS, "default_shipping": True})["id"]
    ids["note_id"] = admin("POST", f"{tab}/notes", {"text": "Prefers morning calls."})["id"]
    admin("POST", f"{tab}/tags", {"tag": "wholesale"})
    ids["ticket_id"] = admin("POST", f"{tab}/tickets", {"subject": "Parcel late", "message": "Where is it?"})["id"]
    ids["review_id"] = admin("POST", f"{tab}/reviews", {"sku": "MUG-01", "rating": 4, "text": "Sturdy."})["id"]
    ids["order_id"] = admin("POST", "/admin/orders", {"customer_id": customer["id"], "payment_method": "card",
                                                      "lines": [{"sku": "MUG-01", "quantity": 2}],
                                                      "shipping_address": ADDRESS})["id"]
    ids["report_id"] = admin("POST", "/admin/reports/saved", {"name": "Weekly sales", "report": "sales",
                                                              "range": "last_7_days"})["id"]
    ids["job_id"] = admin("POST", "/admin/imports", {"filename": "customers.csv"})["job"]["id"]

    # A recurring cart checked out by staff starts a subscription; another open cart waits with a link
    recurring = admin("POST", f"{tab}/carts")["id"]
    admin("POST", f"/admin/carts/{recurring}/items", {"sku": "TEA-01", "quantity": 2})
    admin("PATCH", f"/admin/carts/{recurring}", {"schedule": {"kind": "recurring", "frequency": "monthly"}})
    admin("POST", f"/admin/carts/{recurring}/checkout", {"payment_method": "wire_transfer"})
    ids["subscription_id"] = admin("GET", f"{tab}/subscriptions")["items"][0]["id"]
    ids["cart_id"] = admin("POST", f"{tab}/carts")["id"]
    admin("POST", f"/admin/carts/{ids['cart_id']}/items", {"sku": "MUG-01", "quantity": 1})
    ids["token"] = admin("POST", f"/admin/carts/{ids['cart_id']}/checkout-link", {})["token"]

    # A registered shopper, and a guest's cart
    shopper = {"email": "bob.jones@example.com", "password": "a long password"}
    _ok(api.post("/store/customers", {**shopper, "first_name": "Bob", "last_name": "Jones"}))
    world.customer_token = _ok(api.post("/store/login", shopper))["token"]
    cart = _ok(api.post("/store/carts", {"attribution": {"channel": "newsletter"}}))
    world.guest_cart_id, world.cart_token = cart["id"], cart["cart_token"]
    _ok(api.post(f"/store/carts/{cart['id']}/items", {"sku": "MUG-01", "quantity": 1},
                 headers={"X-Cart-Token": cart["cart_token"]}))
    return world
