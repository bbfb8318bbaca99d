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


def test_imported_orders_take_their_place_on_the_card_by_their_own_dates(api, admin_token, imports, new_customer,
                                                                        catalogue, place):
    # Given a customer who orders today, and whose older orders come from an export (newest file line first)
    ann = new_customer(email="ann@example.com", first_name="Ann", last_name="Lee")
    today = place(customer_id=ann["id"])
    lines = EXPORT.decode().splitlines()
    drop("orders/shopify-orders.csv", "\n".join([lines[0], lines[4], lines[1], lines[2]]).encode() + b"\n")
    run_jobs()
    # Then her card and her orders list show them newest first: today's, then March 3, then March 1
    refs = {o["id"]: o["attribution"].get("reference") for o in _orders(api, admin_token)}
    listed = [refs[o["id"]] for o in api.get(f"/admin/customers/{ann['id']}/orders", token=admin_token).json["items"]]
    assert listed == [None, "#1003", "#1001"] and refs[today["id"]] is None
    card = api.get(f"/admin/customers/{ann['id']}", token=admin_token).json["stats"]["last_orders"]
    assert [o["id"] for o in card] == [today["id"]] + [i for r in ("#1003", "#1001") for i, ref in refs.items() if ref == r]


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


def _many_orders(emails: list[str], count: int) -> tuple[bytes, list[tuple[str, str, str, int, int]]]:
    """`count` orders (reference, email or '' for a guest, day, mugs, tins) over three days, out of date
    order, each customer several times; and the file of them."""
    planned, rows = [], []
    for n in range(count):
        email = "" if n % 5 == 0 else emails[n % len(emails)]
        day, mugs, tins = f"2024-05-0{3 - n % 3}", 1 + n % 3, n % 2
        planned.append((f"#{5000 + n}", email, day, mugs, tins))
        total = f"{(mugs + tins) * 10:.2f}"
        rows.append(f"#{5000 + n},{email},paid,fulfilled,EUR,{total},0,{total},0,Standard,{day} 12:00:00 +0000,{mugs},"
                    f"Enamel mug,10.00,MUG-01,Guest {n},FR,,manual")
        if tins:
            rows.append(f"#{5000 + n},,,,,,,,,,,{tins},Tea tin,10.00,TEA-9,,,,")
    return _shopify(*rows), planned


def test_many_orders_sharing_transactions_count_exactly_once_on_cards_and_in_sales(api, admin_token, imports, catalogue,
                                                                                 new_customer, monkeypatch):
    from chalicelib.store import orders as order_store

    # Given six customers, and an export of 60 orders: each customer's orders on several days, out of
    # date order, one in five a guest's, every order buying mugs (and every other one tins)
    people = [new_customer(email=f"buyer{n}@example.com") for n in range(6)]
    body, planned = _many_orders([p["email"] for p in people], 60)
    transactions = []
    real_transact = order_store._transact
    monkeypatch.setattr(order_store, "_transact", lambda stage: (transactions.append(stage), real_transact(stage))[1])
    # When the merchant drops it
    drop("orders/many.csv", body)
    run_jobs()
    job = _job(api, admin_token, "orders/many.csv")
    assert (job["status"], job["created"], job["rejected"]) == ("succeeded", 60, 0)
    # Then the orders went in several to a transaction
    assert len(transactions) <= 60 / 4
    # And each customer's card counts each of their orders once, its money and its latest date
    for person in people:
        theirs = [p for p in planned if p[1] == person["email"]]
        card = api.get(f"/admin/customers/{person['id']}", token=admin_token).json
        assert (card["stats"]["order_count"], card["stats"]["total_spent"]) == \
            (len(theirs), sum((mugs + tins) * 1000 for _, _, _, mugs, tins in theirs))
        assert card["stats"]["last_order_at"][:10] == max(day for _, _, day, _, _ in theirs)
    # And each day's product sales add up every order's lines once (kept through the stream)
    imports.deliver()
    sold = api.get("/admin/ordered-products?from=2024-05-01&to=2024-05-03", token=admin_token).json["items"]
    units = {p["sku"]: (p["quantity_sold"], p["revenue"], len(p["order_ids"])) for p in sold}
    mugs, tins = sum(p[3] for p in planned), sum(p[4] for p in planned)
    assert units == {"MUG-01": (mugs, mugs * 1000, 60), "TEA-9": (tins, tins * 1000, 30)}


def test_a_reference_taken_meanwhile_is_skipped_and_its_transactions_other_orders_placed(api, admin_token, imports,
                                                                                        catalogue, monkeypatch):
    from chalicelib.store import orders as order_store

    # Given orders imported by an earlier file
    drop("orders/first.csv", EXPORT)
    run_jobs()
    # When another file brings one of them again with new ones, and its step does not see the earlier
    # import (another job wrote the reference between the step's read and its write)
    body, _ = _many_orders(["ann@example.com"], 8)
    monkeypatch.setattr(order_store, "imported_pointers", lambda refs: {})
    drop("orders/second.csv", body + EXPORT.split(b"\n", 1)[1])
    run_jobs()
    # Then the order met again is skipped (its rows), the new ones are placed, none twice
    job = _job(api, admin_token, "orders/second.csv")
    assert (job["status"], job["created"], job["skipped"], job["rejected"]) == ("succeeded", 8, 4, 0)
    references = [o["attribution"]["reference"] for o in _orders(api, admin_token)]
    assert sorted(references) == sorted({*references}) and len(references) == 3 + 8


def test_a_card_changed_by_a_live_order_meanwhile_is_read_again(api, admin_token, imports, catalogue, new_customer,
                                                               monkeypatch, place):
    from chalicelib.store import orders as order_store

    # Given a customer with orders in the export
    ann = new_customer(email="ann@example.com")
    body, planned = _many_orders(["ann@example.com"], 10)
    # When she places an order in the shop between the import's reading of her card and its write
    real_place_together = order_store.place_together

    def live_order_first(placements, threads):
        if not getattr(live_order_first, "done", False):
            live_order_first.done = True
            place(customer_id=ann["id"])
        return real_place_together(placements, threads)

    monkeypatch.setattr(order_store, "place_together", live_order_first)
    drop("orders/ann.csv", body)
    run_jobs()
    # Then every imported order and the live one are on her card, each once
    job = _job(api, admin_token, "orders/ann.csv")
    assert (job["status"], job["created"]) == ("succeeded", 10)
    theirs = [p for p in planned if p[1]]
    live = [o for o in _orders(api, admin_token) if not o["imported"]]
    card = api.get(f"/admin/customers/{ann['id']}", token=admin_token).json["stats"]
    assert card["order_count"] == len(theirs) + 1
    assert card["total_spent"] == sum((m + t) * 1000 for *_, m, t in theirs) + live[0]["total"]


def test_a_step_killed_between_its_orders_and_what_follows_them_puts_that_once(api, admin_token, imports, catalogue,
                                                                                 new_customer, monkeypatch, clock):
    from chalicelib.store import orders as order_store
    from tests.support.schedules import run_schedule

    # Given a customer, and an export whose step dies right after its orders' transaction, before
    # their numbers' items and timeline events (put afterwards) are written
    ann = new_customer(email="ann@example.com")
    drop("orders/crash-after.csv", EXPORT)
    real_put = order_store._put

    class Died(BaseException):
        pass

    def dying(items):
        if not getattr(dying, "done", False):
            dying.done = True
            raise Died()
        return real_put(items)

    monkeypatch.setattr(order_store, "_put", dying)
    [message] = pending_messages()
    with contextlib.suppress(Died):
        run_job_message(message["Body"])
    # When the job is resumed
    clock.advance(minutes=20)
    run_schedule("resume_stalled_jobs")
    run_jobs()
    # Then each order is there once, found by its number, with one "imported" event on its timeline
    job = _job(api, admin_token, "orders/crash-after.csv")
    assert (job["status"], job["created"]) == ("succeeded", 3)
    orders = _orders(api, admin_token)
    assert len(orders) == 3
    for order in orders:
        assert [o["id"] for o in api.get(f"/admin/orders?q={order['number']}", token=admin_token).json["items"]] == \
            [order["id"]]
        timeline = api.get(f"/admin/orders/{order['id']}/timeline", token=admin_token).json["items"]
        assert [e["type"] for e in timeline].count("order_imported") == 1
    # And Ann's timeline shows each of her two orders once
    events = api.get(f"/admin/customers/{ann['id']}/timeline", token=admin_token).json["items"]
    placed = sorted(e["data"]["order_id"] for e in events if e["type"] == "order_placed")
    assert placed == sorted(o["id"] for o in orders if o["customer_id"] == ann["id"]) and len(placed) == 2
