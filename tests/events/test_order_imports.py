"""A merchant brings their order history: each order of the export becomes one order here, on its
customer's card, counted on its own date, and nothing else happens (no email, invoice or stock)."""
import contextlib

from tests.support.imports import drop, pending_messages, run_job_message, run_jobs

HEADER = ("Name,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Total,Discount Amount,"
          "Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,"
          "Billing Country,Cancelled at,Payment Method")


def _shopify(*orders: str) -> bytes:
    return ("\n".join([HEADER, *orders]) + "\n").encode()


# A Shopify order export: order fields on the first line of each order only.
EXPORT = _shopify(*(",".join(cells) for cells in [
    ["#1001", "Ann@Example.com", "paid", "fulfilled", "EUR", "37.50", "4.90", "42.40", "0", "Standard",
     "2024-03-01 10:15:00 +0100", "2", "Enamel mug", "12.50", "MUG-01", "Ann Lee", "FR", "", "Shopify Payments"],
    ["#1001", "", "", "", "", "", "", "", "", "", "", "1", "Tea tin", "12.50", "TEA-9", "", "", "", ""],
    ["#1002", "zoe@example.com", "refunded", "fulfilled", "EUR", "20.00", "0", "20.00", "0", "Pickup",
     "2024-03-02 09:00:00 +0100", "1", "Big bag", "20.00", "BAG-7", "Zoe Park", "DE", "", "PayPal Express"],
    ["#1003", "ann@example.com", "paid", "unfulfilled", "EUR", "10.00", "0", "8.00", "2.00", "Express",
     "2024-03-03 12:00:00 +0100", "1", "Enamel mug", "10.00", "MUG-01", "Ann Lee", "FR", "2024-03-04 08:00:00 +0100",
     "manual"],
]))


def _job(api, token, source: str) -> dict:
    return next(j for j in api.get("/admin/imports", token=token).json["items"] if j["source"] == source)


def _orders(api, token) -> list[dict]:
    return api.get("/admin/orders?limit=200", token=token).json["items"]


def test_a_shopify_order_export_becomes_the_customers_history(api, admin_token, imports, new_customer, catalogue):
    # Given a customer of the store (in another case than in the file), a store that invoices paid
    # orders, and a product whose stock it tracks
    ann = new_customer(email="ann@example.com", first_name="Ann", last_name="Lee")
    assert api.patch("/admin/settings", {"invoicing": {"enabled": True}}, token=admin_token).status == 200
    assert api.patch("/admin/products/MUG-01", {"stock": 5}, token=admin_token).status == 200
    # When the merchant drops their order export under orders/
    drop("orders/shopify-orders.csv", EXPORT)
    run_jobs()
    imports.deliver()
    job = _job(api, admin_token, "orders/shopify-orders.csv")
    # Then three orders were made of the four lines
    assert (job["status"], job["preset"], job["rows_done"], job["created"], job["rejected"]) == \
        ("succeeded", "shopify_orders", 4, 3, 0)
    orders = {o["attribution"]["reference"]: o for o in _orders(api, admin_token)}
    first = orders["#1001"]
    # With the file's date, states, prices, shipping, and both lines of the first order
    assert (first["placed_at"], first["status"], first["payment_status"], first["fulfillment_status"]) == \
        ("2024-03-01T09:15:00.000Z", "completed", "paid", "delivered")
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in first["lines"]] == \
        [("MUG-01", 2, 1250), ("TEA-9", 1, 1250)]
    assert (first["shipping"], first["total"], first["imported"], first["customer_id"]) == (490, 4240, True, ann["id"])
    assert orders["#1002"]["customer_id"] is None and orders["#1002"]["customer"]["email"] == "zoe@example.com"
    assert orders["#1002"]["payment_status"] == "refunded" and orders["#1002"]["payment_method"] == "paypal"
    assert orders["#1003"]["status"] == "cancelled" and orders["#1003"]["discount"] == 200
    # And Ann's card counts her orders (the cancelled one does not), with no email sent to anyone
    stats = api.get(f"/admin/customers/{ann['id']}", token=admin_token).json["stats"]
    assert (stats["order_count"], stats["total_spent"]) == (1, 4240)
    assert api.get(f"/admin/customers/{ann['id']}/emails", token=admin_token).json["items"] == []
    # And a sku the store did not sell is there now, archived; the history moved no stock and was
    # invoiced by the platform it comes from, not here
    assert api.get("/admin/products/TEA-9", token=admin_token).json["status"] == "archived"
    assert api.get("/admin/products/MUG-01", token=admin_token).json["stock"] == 5
    assert api.get("/admin/invoices?from=2024-01-01&to=2026-12-31", token=admin_token).json["items"] == []
    assert all(o["invoice_number"] is None for o in orders.values())
    # And the reports count the orders on their own days
    day = api.get("/admin/reports/sales?from=2024-03-01&to=2024-03-03&group_by=day", token=admin_token).json
    assert [(r["orders"], r["cancelled_orders"]) for r in day["rows"]] == [(1, 0), (1, 0), (0, 1)]


def test_the_same_export_twice_adds_nothing_and_a_dry_run_writes_nothing(api, admin_token, imports, catalogue):
    drop("orders/first.csv", EXPORT)
    run_jobs()
    # When the same orders come again in another file
    drop("orders/again.csv", EXPORT)
    run_jobs()
    # Then nothing is imported twice: the second job skipped every row
    again = _job(api, admin_token, "orders/again.csv")
    assert (again["created"], again["skipped"]) == (0, 4) and len(_orders(api, admin_token)) == 3
    # And a dry run of a new file judges it without writing
    new_order = "#2001,x@example.com,paid,fulfilled,EUR,5,0,5,0,Standard,2024-04-01,1,Pen,5.00,PEN-1,X Y,FR,,"
    drop("orders/dry.csv", _shopify(new_order), metadata={"dry-run": "true"})
    run_jobs()
    dry = _job(api, admin_token, "orders/dry.csv")
    assert dry["status"] == "needs_mapping" and dry["dry_run_result"]["would_create"] == 1
    assert len(_orders(api, admin_token)) == 3


def test_a_step_killed_after_placing_its_orders_places_none_twice(api, admin_token, imports, catalogue, monkeypatch,
                                                                   clock):
    from chalicelib.store import jobs as job_store

    drop("orders/crash.csv", EXPORT)
    real_commit = job_store.commit_step

    class Died(BaseException):
        pass

    def dying(before, after, owner):
        if after.checkpoint.seq == 1 and not getattr(dying, "done", False):
            dying.done = True
            raise Died()
        return real_commit(before, after, owner)

    monkeypatch.setattr(job_store, "commit_step", dying)
    [message] = pending_messages()
    with contextlib.suppress(Died):
        run_job_message(message["Body"])
    assert len(_orders(api, admin_token)) == 3  # written before the invocation died
    clock.advance(minutes=20)
    from tests.support.schedules import run_schedule

    run_schedule("resume_stalled_jobs")
    run_jobs()
    job = _job(api, admin_token, "orders/crash.csv")
    assert (job["status"], job["created"], job["rows_done"]) == ("succeeded", 3, 4)
    assert len(_orders(api, admin_token)) == 3
