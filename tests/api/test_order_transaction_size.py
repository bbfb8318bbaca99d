"""The largest order transactions fit in one TransactWriteItems (DynamoDB takes at most 100 items): an
order of the most lines (MAX_LINES), each taking stock (its sku's sales follow through the stream),
with every other companion a placement can have; and calling it off, which puts all of it back.
DynamoDB Local refuses a larger transaction, so on that layer the request itself would fail."""
import pytest
from pynamodb.connection.base import Connection

from chalicelib.domain.orders import MAX_LINES
from tests.support.orders import ADDRESS

DYNAMODB_LIMIT = 100
SKUS = [f"LINE-{n:02d}" for n in range(MAX_LINES)]


@pytest.fixture
def transaction_sizes(monkeypatch):
    """The number of items of every TransactWriteItems sent."""
    sizes: list[int] = []
    send = Connection.transact_write_items

    def recording(self, condition_check_items, delete_items, put_items, update_items, *args, **kwargs):
        sizes.append(len(condition_check_items) + len(delete_items) + len(put_items) + len(update_items))
        return send(self, condition_check_items, delete_items, put_items, update_items, *args, **kwargs)

    monkeypatch.setattr(Connection, "transact_write_items", recording)
    return sizes


@pytest.fixture
def full_catalogue(api, admin_token):
    """MAX_LINES products, each with 10 in stock, one more product, and a coupon limited per customer."""
    assert api.post("/admin/products", {"sku": "EXTRA-01", "name": "One too many", "price": 100}, token=admin_token).status == 201
    for sku in SKUS:
        assert api.post("/admin/products", {"sku": sku, "name": f"Product {sku}", "price": 100, "stock": 10},
                        token=admin_token).status == 201
    assert api.post("/admin/coupons", {"code": "ONCE", "kind": "percent", "value": 10, "usage_limit": 100,
                                       "per_customer_limit": 1}, token=admin_token).status == 201


def _fill(api, cart_path, auth):
    for sku in SKUS:
        assert api.post(f"{cart_path}/items", {"sku": sku, "quantity": 2}, **auth).status == 200


def _stocks(api, token):
    return {p["sku"]: p["stock"] for p in api.get("/admin/products?limit=200", token=token).json["items"] if p["sku"] in SKUS}


def test_a_guests_checkout_of_the_most_lines_and_its_cancellation_each_fit_one_transaction(
        api, admin_token, full_catalogue, transaction_sizes):
    # Given a guest cart of MAX_LINES products that track stock, with a coupon limited per customer
    cart = api.post("/store/carts", {}).json
    auth = {"headers": {"X-Cart-Token": cart["cart_token"]}}
    _fill(api, f"/store/carts/{cart['id']}", auth)
    assert api.post(f"/store/carts/{cart['id']}/coupon", {"code": "ONCE"}, **auth).status == 200
    # When the guest (a long name and email: the most search entries) checks out by wire transfer (two emails)
    name = "Maximiliana Wolkenstein-Trostburg Featherstonehaugh"
    reply = api.post(f"/store/carts/{cart['id']}/checkout",
                     {"email": "maximiliana.wolkenstein-trostburg@example-featherstonehaugh.com",
                      "payment_method": "wire_transfer", "shipping_address": {**ADDRESS, "name": name}}, **auth)
    # Then the order is placed in one transaction within DynamoDB's limit, and the stock taken
    assert reply.status == 201, reply.json
    placement = transaction_sizes[-1]
    assert placement <= DYNAMODB_LIMIT
    assert set(_stocks(api, admin_token).values()) == {8}
    # When staff cancel it
    cancelled = api.post(f"/admin/orders/{reply.json['id']}/status", {"status": "cancelled"}, token=admin_token)
    # Then that too is one transaction within the limit, and all the stock is back
    assert cancelled.status == 200 and transaction_sizes[-1] <= DYNAMODB_LIMIT
    assert set(_stocks(api, admin_token).values()) == {10}


def test_a_customers_recurring_checkout_of_the_most_lines_fits_one_transaction(
        api, admin_token, full_catalogue, new_customer, transaction_sizes):
    # Given a customer's cart prepared by staff: MAX_LINES products, a coupon, a recurring schedule
    customer = new_customer()
    cart = api.post(f"/admin/customers/{customer['id']}/carts", {}, token=admin_token).json
    auth = {"token": admin_token}
    _fill(api, f"/admin/carts/{cart['id']}", auth)
    assert api.patch(f"/admin/carts/{cart['id']}", {"schedule": {"kind": "recurring", "frequency": "monthly"},
                                                   "coupon": "ONCE"}, token=admin_token).status == 200
    # When staff check it out by wire transfer: order, card and stats, events, two emails, cart, coupon and
    # its use, the subscription and its event, and per line the sales and the stock
    reply = api.post(f"/admin/carts/{cart['id']}/checkout", {"payment_method": "wire_transfer", "shipping_address": ADDRESS},
                     token=admin_token)
    # Then it is one transaction within DynamoDB's limit
    assert reply.status == 201, reply.json
    assert transaction_sizes[-1] <= DYNAMODB_LIMIT
    assert api.get(f"/admin/customers/{customer['id']}/subscriptions", token=admin_token).json["items"] != []
    assert set(_stocks(api, admin_token).values()) == {8}
    # And an order cannot have more lines than that
    more = api.post(f"/admin/orders/{reply.json['id']}/items", {"sku": "EXTRA-01", "quantity": 1}, token=admin_token)
    assert more.status == 422 and f"at most {MAX_LINES} lines" in more.json["error"]["message"]
