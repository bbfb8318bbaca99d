"""Reports read the items the table's stream keeps as orders change: a merchant places orders, the
stream is delivered (the real records, as Lambda would), and the reports add them up by the
definitions of docs/architecture.md ("Reports"): on the store-local day an order was placed, refunds
on their own day, cancelled orders only as cancelled, test orders nowhere."""
from urllib.parse import urlencode

import pytest

from chalicelib.domain.tokens import issue_customer_token
from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.orders import ADDRESS, GUEST

OCT_30 = "2026-10-30T10:00:00Z"
OCT_31 = "2026-10-31T10:00:00Z"



def report(api, name: str, token: str | None = None, **params) -> dict:
    reply = api.get(f"/admin/reports/{name}?{urlencode(params)}", token=token or staff_token("admin"))
    assert reply.status == 200, reply.json
    return reply.json


def rows_by_period(answer: dict) -> dict[str, dict]:
    return {row["period"]: row for row in answer["rows"]}


def move(api, order: dict, *statuses: str) -> None:
    for status in statuses:
        reply = api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=staff_token("admin"))
        assert reply.status == 200, reply.json


def test_sales_count_orders_on_their_day_with_discounts_shipping_and_a_half_up_average(api, place, stream):
    # Given two orders on Oct 30 (one with a line discount and an order discount) and two on Oct 31
    place(guest=GUEST, placed_at=OCT_30, payment_method="wire_transfer",
          lines=[{"sku": "MUG-01", "quantity": 2, "discount": 100}], discount={"kind": "fixed", "value": 300})
    place(guest=GUEST, placed_at=OCT_30, lines=[{"sku": "TEA-01", "quantity": 1}], delivery_method="express")
    place(guest=GUEST, placed_at=OCT_31, lines=[{"sku": "TEA-01", "quantity": 1, "unit_price": 801}])
    place(guest=GUEST, placed_at=OCT_31, lines=[{"sku": "TEA-01", "quantity": 1}], delivery_method="pickup")
    # When the stream is delivered and the sales report read by day
    stream.deliver()
    answer = report(api, "sales", **{"from": "2026-10-29", "to": "2026-10-31"})
    # Then each day adds up its orders: gross = price x quantity, net = gross - discounts, total = net + shipping
    days = rows_by_period(answer)
    assert list(days) == ["2026-10-29", "2026-10-30", "2026-10-31"]
    assert days["2026-10-29"]["orders"] == 0 and days["2026-10-29"]["total_sales"] == 0
    assert {k: days["2026-10-30"][k] for k in ("orders", "units_sold", "gross_sales", "discounts", "net_sales", "shipping",
                                               "total_sales", "average_order_value")} == {
        "orders": 2, "units_sold": 3, "gross_sales": 3300, "discounts": 400, "net_sales": 2900, "shipping": 1480,
        "total_sales": 4380, "average_order_value": 1450}
    # And 1601 / 2 orders = 800.5 is rounded half up to 801
    assert (days["2026-10-31"]["net_sales"], days["2026-10-31"]["average_order_value"]) == (1601, 801)
    assert answer["totals"]["orders"] == 4 and answer["totals"]["net_sales"] == 4501
    assert answer["totals"]["average_order_value"] == 1125  # 4501 / 4 = 1125.25
    assert answer["report"] == "sales" and answer["group_by"] == "day" and answer["generated_at"]


def test_a_refund_counts_as_a_return_on_the_day_of_the_refund(api, clock, place, stream):
    # Given a wire-transfer order placed on Oct 30 and paid
    order = place(guest=GUEST, placed_at=OCT_30, payment_method="wire_transfer")
    move(api, order, "paid")
    # When it is refunded today (Nov 2) and the stream delivered
    move(api, order, "refunded")
    stream.deliver()
    days = rows_by_period(answer := report(api, "sales", **{"from": "2026-10-30", "to": "2026-11-02"}))
    # Then the order still counts on Oct 30, and its goods and shipping come back on Nov 2
    assert (days["2026-10-30"]["orders"], days["2026-10-30"]["gross_sales"], days["2026-10-30"]["shipping"]) == (1, 2500, 490)
    assert days["2026-11-02"]["orders"] == 0
    assert (days["2026-11-02"]["returns"], days["2026-11-02"]["net_sales"], days["2026-11-02"]["shipping"],
            days["2026-11-02"]["total_sales"]) == (2500, -2500, -490, -2990)
    # And over both days the refunded order adds up to nothing sold
    assert (answer["totals"]["orders"], answer["totals"]["net_sales"], answer["totals"]["total_sales"]) == (1, 0, 0)
    assert api.get(f"/admin/orders/{order['id']}", token=staff_token()).json["refunded_day"] == "2026-11-02"


def test_cancelled_orders_count_only_as_cancelled_and_test_orders_nowhere(api, place, stream):
    # Given a real order, a cancelled one and a test order on Oct 30
    place(guest=GUEST, placed_at=OCT_30)
    move(api, place(guest=GUEST, placed_at=OCT_30, lines=[{"sku": "BAG-01", "quantity": 1}]), "cancelled")
    place(guest=GUEST, placed_at=OCT_30, is_test=True, lines=[{"sku": "TEA-01", "quantity": 9}])
    stream.deliver()
    # Then the sales count the real order, and the cancelled one only as cancelled
    day = report(api, "sales", **{"from": "2026-10-30", "to": "2026-10-30"})["rows"][0]
    assert (day["orders"], day["units_sold"], day["gross_sales"], day["cancelled_orders"]) == (1, 2, 2500, 1)
    # And neither appears in the products report
    products = report(api, "products", **{"from": "2026-10-30", "to": "2026-10-30"})
    assert [(row["sku"], row["units_sold"]) for row in products["rows"]] == [("MUG-01", 2)]


def test_an_order_counts_on_its_day_in_the_stores_time_zone(api, place, stream, store_settings):
    # Given a store in Paris (UTC+1 at the end of October)
    store_settings(timezone="Europe/Paris")
    # When one order is placed at 23:59 and one at 00:00 Paris time
    before_midnight = place(guest=GUEST, placed_at="2026-10-30T22:59:00Z")
    at_midnight = place(guest=GUEST, placed_at="2026-10-30T23:00:00Z", lines=[{"sku": "TEA-01", "quantity": 1}])
    stream.deliver()
    # Then they count on two Paris days, though both are on Oct 30 in UTC
    assert (before_midnight["placed_day"], at_midnight["placed_day"]) == ("2026-10-30", "2026-10-31")
    days = rows_by_period(report(api, "sales", **{"from": "2026-10-30", "to": "2026-10-31"}))
    assert (days["2026-10-30"]["gross_sales"], days["2026-10-31"]["gross_sales"]) == (2500, 800)
    # And moving the store to another zone later does not move orders already placed
    store_settings(timezone="UTC")
    days = rows_by_period(report(api, "sales", **{"from": "2026-10-30", "to": "2026-10-31"}))
    assert (days["2026-10-30"]["gross_sales"], days["2026-10-31"]["gross_sales"]) == (2500, 800)


def test_sales_filters_read_one_dimension_or_the_combinations(api, place, stream, new_customer):
    # Given orders paid by card and wire transfer, shipped to France and Germany
    place(guest=GUEST, placed_at=OCT_30)  # card, FR
    place(guest=GUEST, placed_at=OCT_30, payment_method="wire_transfer")  # wire, FR
    place(guest=GUEST, placed_at=OCT_30, shipping_address={**ADDRESS, "country": "DE"},
          lines=[{"sku": "TEA-01", "quantity": 1}])  # card, DE
    vip = new_customer()
    place(customer_id=vip["id"], placed_at=OCT_30, lines=[{"sku": "BAG-01", "quantity": 1}])  # card, FR, default group
    stream.deliver()
    on = {"from": "2026-10-30", "to": "2026-10-30"}
    def gross(**filters) -> int:
        return report(api, "sales", **on, **filters)["totals"]["gross_sales"]

    # Then one filter, two filters and a group each keep only their orders
    assert gross() == 2500 + 2500 + 800 + 2000
    assert gross(payment_method="card") == 2500 + 800 + 2000
    assert gross(country="DE") == 800
    assert gross(payment_method="card", country="FR") == 2500 + 2000
    assert gross(group="guests") == 2500 + 2500 + 800 and gross(group="default") == 2000
    assert gross(payment_method="paypal") == 0
    filters = report(api, "sales", **on, payment_method="card", country="FR")["filters"]
    assert filters == {"payment_method": "card", "country": "FR"}


def test_sales_by_week_and_month_name_each_period_by_its_first_day(api, place, stream):
    # Given orders on Friday Oct 30 and on Monday Nov 2
    place(guest=GUEST, placed_at=OCT_30)
    place(guest=GUEST, placed_at="2026-11-02T08:00:00Z", lines=[{"sku": "TEA-01", "quantity": 1}])
    stream.deliver()
    # Then by week they fall in the weeks of Mondays Oct 26 and Nov 2, by month in October and November
    weeks = report(api, "sales", **{"from": "2026-10-28", "to": "2026-11-03", "group_by": "week"})
    assert [(r["period"], r["gross_sales"]) for r in weeks["rows"]] == [("2026-10-26", 2500), ("2026-11-02", 800)]
    months = report(api, "sales", **{"from": "2026-10-01", "to": "2026-11-30", "group_by": "month"})
    assert [(r["period"], r["orders"]) for r in months["rows"]] == [("2026-10-01", 1), ("2026-11-01", 1)]
    # And days outside the range are left out of a period that starts before it
    assert report(api, "sales", **{"from": "2026-10-31", "to": "2026-11-03", "group_by": "week"})["totals"]["gross_sales"] == 800


def test_the_products_report_sorts_pages_and_filters_by_the_catalogue(api, place, stream):
    # Given a mug in the kitchen category, and orders of mugs, bags and tea
    assert api.patch("/admin/products/MUG-01", {"category": "kitchen"}, token=staff_token()).status == 200
    place(guest=GUEST, placed_at=OCT_30, lines=[{"sku": "MUG-01", "quantity": 2}, {"sku": "BAG-01", "quantity": 1}])
    place(guest=GUEST, placed_at=OCT_31, lines=[{"sku": "TEA-01", "quantity": 5}, {"sku": "MUG-01", "quantity": 1}])
    stream.deliver()
    on = {"from": "2026-10-30", "to": "2026-10-31"}
    # Then by gross sales: tea 4000, mugs 3750, bag 2000, each with its orders and catalogue fields
    answer = report(api, "products", **on)
    assert [(r["sku"], r["units_sold"], r["gross_sales"], r["orders"]) for r in answer["rows"]] == [
        ("TEA-01", 5, 4000, 1), ("MUG-01", 3, 3750, 2), ("BAG-01", 1, 2000, 1)]
    mug = answer["rows"][1]
    assert (mug["name"], mug["price"], mug["category"], mug["status"]) == ("Enamel mug", 1250, "kitchen", "active")
    assert answer["totals"] == {"products": 3, "units_sold": 9, "gross_sales": 9750} and answer["next_token"] is None
    # And by units, two at a time: the second page has the rest
    first = report(api, "products", **on, sort="units_sold", limit=2)
    assert [r["sku"] for r in first["rows"]] == ["TEA-01", "MUG-01"] and first["next_token"]
    second = report(api, "products", **on, sort="units_sold", limit=2, next_token=first["next_token"])
    assert [r["sku"] for r in second["rows"]] == ["BAG-01"] and second["next_token"] is None
    # And a category keeps its products only
    assert [r["sku"] for r in report(api, "products", **on, category="kitchen")["rows"]] == ["MUG-01"]
    # And a page token that is not ours is a 400
    assert api.get(f"/admin/reports/products?{urlencode({**on, 'next_token': 'garbage'})}", token=staff_token()).status == 400


def test_the_customers_report_tells_new_from_returning_customers(api, place, stream, new_customer):
    # Given Ann, who first ordered on Oct 20, and Bob, who first orders on Oct 30, and a guest
    ann, bob = new_customer(first_name="Ann", last_name="Lee"), new_customer(first_name="Bob", last_name="Ray")
    place(customer_id=ann["id"], placed_at="2026-10-20T10:00:00Z")
    place(customer_id=ann["id"], placed_at=OCT_30, lines=[{"sku": "TEA-01", "quantity": 1}])
    place(customer_id=bob["id"], placed_at=OCT_30, lines=[{"sku": "BAG-01", "quantity": 2}])
    place(guest=GUEST, placed_at=OCT_30, shipping_address={**ADDRESS, "country": "DE"},
          lines=[{"sku": "TEA-01", "quantity": 2}])
    stream.deliver()
    # When the customers report of Oct 30 is read
    answer = report(api, "customers", **{"from": "2026-10-30", "to": "2026-10-30"})
    # Then Bob and the guest are new, Ann returns
    [day] = answer["rows"]
    assert (day["new_customers"], day["new_customer_orders"], day["new_customer_net_sales"]) == (2, 2, 4000 + 1600)
    assert (day["returning_customers"], day["returning_customer_orders"], day["returning_customer_net_sales"]) == (1, 1, 800)
    # And the top customers are ranked by net sales, named from their records
    assert [(c["name"], c["email"], c["orders"], c["net_sales"]) for c in answer["top_customers"]] == [
        ("Bob Ray", bob["email"], 1, 4000), ("Gus Guest", "guest@example.com", 1, 1600), ("Ann Lee", ann["email"], 1, 800)]
    assert {(c["country"], c["customers"], c["orders"]) for c in answer["by_country"]} == {("FR", 2, 2), ("DE", 1, 1)}
    # And by month, all three are new in October (Ann's first order is in October too)
    [october] = report(api, "customers", **{"from": "2026-10-01", "to": "2026-10-31", "group_by": "month"})["rows"]
    assert (october["new_customers"], october["returning_customers"], october["new_customer_orders"]) == (3, 0, 4)


def test_the_payments_report_splits_methods_and_statuses_with_refunds(api, place, stream):
    # Given a card order awaiting payment, a paid wire transfer, a refunded one and a cash on delivery order
    place(guest=GUEST, placed_at=OCT_30)
    move(api, place(guest=GUEST, placed_at=OCT_30, payment_method="wire_transfer"), "paid")
    move(api, place(guest=GUEST, placed_at=OCT_30, payment_method="wire_transfer"), "paid", "refunded")
    place(guest=GUEST, placed_at=OCT_30, payment_method="cash_on_delivery")
    stream.deliver()
    answer = report(api, "payments", **{"from": "2026-10-30", "to": "2026-11-02"})
    # Then each method and status has its orders and amounts, the refund on the refunded row
    summary = {(r["payment_method"], r["payment_status"]): (r["orders"], r["amount"], r["refunds"]) for r in answer["summary"]}
    assert summary == {("card", "awaiting_payment"): (1, 2990, 0), ("wire_transfer", "paid"): (1, 2990, 0),
                       ("wire_transfer", "refunded"): (1, 2990, 2990), ("cash_on_delivery", "unpaid"): (1, 2990, 0)}
    # And paid is set apart from awaiting
    totals = answer["totals"]
    assert (totals["paid_orders"], totals["awaiting_orders"], totals["awaiting_amount"], totals["refunds"]) == (1, 2, 5980, 2990)


def test_support_reads_reports_and_shoppers_never(api):
    on = urlencode({"from": "2026-10-30", "to": "2026-10-30"})
    customer = api.post("/admin/customers", {"email": "s@example.com", "first_name": "S", "last_name": "T"},
                        token=staff_token()).json
    shopper = issue_customer_token(customer["id"], get_settings().customer_token_secret, 3600)
    for name in ("sales", "products", "customers", "payments"):
        # Support and agents read every report
        assert api.get(f"/admin/reports/{name}?{on}", token=staff_token("support")).status == 200
        assert api.get(f"/admin/reports/{name}?{on}", token=staff_token("agent")).status == 200
        # A shopper's token, or none, opens nothing
        assert api.get(f"/admin/reports/{name}?{on}", token=shopper).status == 401
        assert api.get(f"/admin/reports/{name}?{on}").status == 401


@pytest.mark.parametrize("name, params, field", [
    ("sales", {"from": "2026-10-31", "to": "2026-10-30"}, "to"),  # to before from
    ("sales", {"from": "2025-10-30", "to": "2026-10-31"}, "to"),  # 367 days by day
    ("customers", {"from": "2026-10-31", "to": "2026-10-01"}, "to"),
    ("payments", {"from": "2025-01-01", "to": "2026-01-02"}, "to"),
    ("products", {"from": "2025-01-01", "to": "2026-01-02"}, "to"),  # no periods, read day by day: a year
    ("products", {"from": "2026-10-01", "to": "2026-10-31", "brand": " "}, "brand"),
    ("sales", {"from": "1969-12-31", "to": "2026-10-31", "group_by": "month"}, "from"),
    ("sales", {"from": "2026-10-01", "to": "2026-10-31", "group_by": "year"}, "group_by"),
    ("sales", {"from": "2026-10-01", "to": "2026-10-31", "country": "France"}, "country"),
    ("sales", {"from": "2026-10-01"}, "to"),
    ("sales", {"from": "2026-10-01", "to": "2026-10-31", "colour": "red"}, "colour"),
])
def test_a_bad_range_or_filter_is_a_422_naming_the_field(api, admin_token, name, params, field):
    reply = api.get(f"/admin/reports/{name}?{urlencode(params)}", token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error", reply.json
    assert [detail["field"] for detail in reply.json["error"]["details"]] == [field], reply.json


def test_the_files_of_more_than_a_year_are_a_422_naming_the_field(api, admin_token):
    reply = api.get("/admin/reports/files?from=2025-01-01&to=2026-01-02", token=admin_token)
    assert reply.status == 422 and reply.json["error"]["details"] == [
        {"field": "to", "message": "a range read day by day covers at most 366 days (this range has 367)"}]


def test_a_year_by_day_and_ten_years_by_month_are_read(api, admin_token):
    assert api.get("/admin/reports/sales?from=2025-11-01&to=2026-11-01", token=admin_token).status == 200  # 366 days
    assert api.get("/admin/reports/sales?from=2016-11-01&to=2026-10-31&group_by=month", token=admin_token).status == 200


def test_only_admins_back_date_an_order_and_never_into_the_future(api, catalogue):
    body = {"guest": GUEST, "lines": [{"sku": "MUG-01", "quantity": 1}], "payment_method": "card"}
    assert api.post("/admin/orders", {**body, "placed_at": OCT_30}, token=staff_token("agent")).status == 403
    assert api.post("/admin/orders", {**body, "placed_at": "2999-01-01T00:00:00Z"}, token=staff_token()).status == 422
    assert api.post("/admin/orders", {**body, "placed_at": "2026-10-30"}, token=staff_token()).status == 422  # no time zone
    assert api.get("/admin/orders", token=staff_token()).json["items"] == []  # nothing was written
    placed = api.post("/admin/orders", {**body, "placed_at": OCT_30}, token=staff_token())
    assert placed.status == 201
    assert (placed.json["placed_at"], placed.json["placed_day"]) == ("2026-10-30T10:00:00.000Z", "2026-10-30")


def test_the_store_time_zone_is_an_iana_name(api, admin_token, store_settings):
    assert api.get("/admin/settings", token=admin_token).json["timezone"] == "UTC"
    assert store_settings(timezone="America/New_York")["timezone"] == "America/New_York"
    for bad in ("Mars/Olympus", "../etc/passwd", "", None, "Europe"):
        assert api.patch("/admin/settings", {"timezone": bad}, token=admin_token).status == 422, bad
    assert api.get("/admin/settings", token=admin_token).json["timezone"] == "America/New_York"
