"""The report items (and the ordered products' sales per sku and day) follow the orders exactly once:
the stream handler applies each order change's difference with a guard per (order version, family), so
a batch delivered twice, an edit, a cancellation of a first order or a deleted customer never count
anything twice or lose it."""

from chalicelib.store import report_aggregates
from tests.support.api import staff_token
from tests.support.orders import GUEST
from tests.support.streams import deliver

OCT_20, OCT_30 = "2026-10-20T10:00:00Z", "2026-10-30T10:00:00Z"
RANGE = {"from": "2026-10-01", "to": "2026-11-02"}  # today: Nov 2



def figures(api, name: str, **params) -> dict:
    """A report's answer without the time it was made (two reads of the same items compare equal)."""
    query = "&".join(f"{k}={v}" for k, v in {**RANGE, **params}.items())
    reply = api.get(f"/admin/reports/{name}?{query}", token=staff_token())
    assert reply.status == 200, reply.json
    return {k: v for k, v in reply.json.items() if k != "generated_at"}


def ordered_products(api) -> dict:
    reply = api.get(f"/admin/ordered-products?from={RANGE['from']}&to={RANGE['to']}", token=staff_token())
    assert reply.status == 200, reply.json
    return {p["sku"]: (p["quantity_sold"], p["revenue"], p["order_ids"]) for p in reply.json["items"]}


def all_reports(api) -> dict:
    return {**{name: figures(api, name) for name in ("sales", "products", "customers", "payments")},
            "ordered_products": ordered_products(api)}


def test_a_batch_delivered_twice_counts_once(api, place, new_customer, stream):
    # Given orders placed, paid and refunded, their records delivered once
    customer = new_customer()
    order = place(customer_id=customer["id"], placed_at=OCT_20, payment_method="wire_transfer")
    place(guest=GUEST, placed_at=OCT_30, lines=[{"sku": "TEA-01", "quantity": 3}])
    for status in ("paid", "refunded"):
        api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=staff_token())
    records = stream.deliver()
    once = all_reports(api)
    assert once["sales"]["totals"]["orders"] == 2 and once["sales"]["totals"]["returns"] == 2500
    assert set(once["ordered_products"]) == {"TEA-01"}  # the refunded order is no sale any more
    # When the stream delivers the very same records again (a Lambda retry)
    reply = deliver(*records)
    assert not reply["batchItemFailures"]
    stream.deliver()  # and whatever that wrote
    # Then every report is as it was
    assert all_reports(api) == once


def test_an_edit_moves_the_reports_by_its_difference_only(api, place, stream):
    # Given an order of 2 mugs, delivered
    order = place(guest=GUEST, placed_at=OCT_30)
    first = stream.deliver()
    # When staff change the quantity to 3 and add a fixed discount, and the records come twice
    assert api.patch(f"/admin/orders/{order['id']}/items/MUG-01", {"quantity": 3}, token=staff_token()).status == 200
    assert api.patch(f"/admin/orders/{order['id']}", {"discount": {"kind": "fixed", "value": 500}},
                     token=staff_token()).status == 200
    second = stream.deliver()
    deliver(*first, *second)
    # Then the reports hold the order as it is now, once
    totals = figures(api, "sales")["totals"]
    assert (totals["orders"], totals["units_sold"], totals["gross_sales"], totals["discounts"]) == (1, 3, 3750, 500)
    [mug] = figures(api, "products")["rows"]
    assert (mug["units_sold"], mug["gross_sales"], mug["orders"]) == (3, 3750, 1)
    customers = figures(api, "customers", group_by="month")["totals"]
    assert (customers["customers"], customers["new_customer_orders"], customers["new_customer_net_sales"]) == (1, 1, 3250)
    [payment] = figures(api, "payments")["summary"]
    assert (payment["orders"], payment["amount"]) == (1, 3750 - 500 + 490)
    assert ordered_products(api) == {"MUG-01": (3, 3750, [order["id"]])}


def test_cancelling_a_first_order_makes_the_next_one_new(api, place, new_customer, stream):
    # Given a customer who ordered on Oct 20 and returned on Oct 30
    customer = new_customer()
    first = place(customer_id=customer["id"], placed_at=OCT_20)
    place(customer_id=customer["id"], placed_at=OCT_30, lines=[{"sku": "TEA-01", "quantity": 1}])
    stream.deliver()
    def day() -> dict:
        return figures(api, "customers", **{"from": "2026-10-30", "to": "2026-10-30"})["rows"][0]

    assert (day()["new_customers"], day()["returning_customers"]) == (0, 1)
    # When the first order is cancelled
    api.post(f"/admin/orders/{first['id']}/status", {"status": "cancelled"}, token=staff_token())
    stream.deliver()
    # Then Oct 30 is the customer's first order: new, not returning
    assert (day()["new_customers"], day()["returning_customers"], day()["new_customer_net_sales"]) == (1, 0, 800)
    assert figures(api, "sales")["totals"]["cancelled_orders"] == 1


def test_a_deleted_customers_orders_stay_theirs_in_the_reports(api, place, new_customer, stream):
    # Given a customer with two orders, delivered
    customer = new_customer()
    place(customer_id=customer["id"], placed_at=OCT_20)
    place(customer_id=customer["id"], placed_at=OCT_30)
    stream.deliver()
    before = figures(api, "customers", group_by="month")
    # When staff delete the customer and the stream anonymises their orders
    assert api.delete(f"/admin/customers/{customer['id']}", token=staff_token()).status == 204
    stream.deliver()
    # Then the reports still count one customer with two orders (no name any more)
    after = figures(api, "customers", group_by="month")
    assert after["rows"] == before["rows"] and after["totals"] == before["totals"]
    [top] = after["top_customers"]
    assert (top["customer_id"], top["orders"], top["email"], top["name"]) == (customer["id"], 2, None, None)
    assert figures(api, "sales")["totals"]["orders"] == 2


def test_a_deleted_order_leaves_the_reports(api, place, stream):
    # Given a cancelled order that was never paid, delivered
    order = place(guest=GUEST, placed_at=OCT_30)
    api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=staff_token())
    stream.deliver()
    assert figures(api, "sales")["totals"]["cancelled_orders"] == 1
    # When the admin deletes it
    assert api.delete(f"/admin/orders/{order['id']}", token=staff_token()).status == 204
    records = stream.deliver()
    deliver(*records)
    # Then it is gone from the reports, once
    assert figures(api, "sales")["totals"]["cancelled_orders"] == 0


def test_a_change_larger_than_a_transaction_is_applied_in_parts_once(aws):
    # Given a change touching 150 product items (a transaction holds 100)
    deltas = {("2026-10-30", f"SKU-{n:03d}"): {"units_sold": 1, "gross_sales": 100, "orders": 1} for n in range(150)}
    # When it is applied twice under the same guard
    assert report_aggregates.add_once("o1#1", {"products": deltas}, expires_at=2_000_000_000) == 2
    assert report_aggregates.add_once("o1#1", {"products": deltas}, expires_at=2_000_000_000) == 0
    # Then every item holds it once
    from datetime import date

    items = list(report_aggregates.product_items(date(2026, 10, 30), date(2026, 10, 30)))
    assert len(items) == 150 and {figures["units_sold"] for _, _, figures in items} == {1}
