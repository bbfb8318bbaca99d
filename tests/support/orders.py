"""A small catalogue and orders placed through the admin API, for order stories."""
import json
import time

from chalicelib.domain.payments import sign
from chalicelib.settings import get_settings

PRODUCTS = [
    {"sku": "MUG-01", "name": "Enamel mug", "price": 1250,
     "suppliers": [{"name": "Tinware", "price": 400}, {"name": "Cheap Cups", "price": 310}]},
    {"sku": "TEA-01", "name": "Assam tea", "price": 800},
    {"sku": "BAG-01", "name": "Canvas bag", "price": 2000},
]
ADDRESS = {"name": "Ann Smith", "line1": "1 Main St", "city": "Lyon", "zip": "69001", "country": "FR"}
GUEST = {"email": "guest@example.com", "first_name": "Gus", "last_name": "Guest"}


def add_catalogue(api, token) -> None:
    for product in PRODUCTS:
        assert api.post("/admin/products", product, token=token).status == 201


def order_body(**fields) -> dict:
    return {"lines": [{"sku": "MUG-01", "quantity": 2}], "payment_method": "card", "delivery_method": "standard",
            "shipping_address": ADDRESS, **fields}


def signed_payment(api, order: dict, event_id: str = "evt_1", kind: str = "payment.succeeded", amount: int | None = None,
                   currency: str | None = None, at: int | None = None, secret: str | None = None):
    body = json.dumps({"id": event_id, "type": kind, "order_id": order["id"],
                       "amount": order["total"] if amount is None else amount,
                       "currency": currency or order["currency"]}).encode()
    header = sign(secret or get_settings().payment_webhook_secret, at or int(time.time()), body)
    return api.call("POST", "/webhooks/payments", body=body, headers={"Payment-Signature": header})
