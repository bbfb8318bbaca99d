"""The report definitions without storage: what an order change adds to the report items, and the
reports read from them. `Ledger` plays the stream handler: it applies every family's deltas."""
import csv
import dataclasses
import itertools
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import msgspec
import pytest

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.reports import FactLine, OrderFacts, add_into, local_day
from chalicelib.domain.reports_customers import (
    activity_after,
    customer_day_deltas,
    customer_period_deltas,
    customers_report,
    customers_touched,
)
from chalicelib.domain.reports_payments import payment_deltas, payments_report
from chalicelib.domain.reports_products import product_deltas, products_report
from chalicelib.domain.reports_queries import CustomersQuery, PaymentsQuery, ProductsQuery, SalesQuery
from chalicelib.domain.reports_sales import sales_deltas, sales_report, sales_source
from tests.support.uci_oracle import UciOracle

MUG = FactLine("MUG-01", "Mug", 2, 1250)
TEA = FactLine("TEA-01", "Tea", 1, 800, discount=100)
NOW = "2026-03-31T00:00:00Z"
UCI_SAMPLE = Path(__file__).parents[1] / "data" / "online_retail_sample.csv"


def _order(order_id="o1", day="2026-03-02", lines=(MUG,), customer="c1", **fields) -> OrderFacts:
    """An order as the handler describes it; the total follows from lines, discounts and shipping."""
    base = OrderFacts(order_id=order_id, customer_key=customer, is_guest=False, placed_day=day, status="open",
                      payment_status="paid", payment_method="card", delivery_method="standard", group_id="g1",
                      country="FR", currency="EUR", lines=tuple(lines), shipping=490)
    facts = dataclasses.replace(base, **fields)
    return dataclasses.replace(facts, total=facts.merchandise + facts.shipping)


class Ledger:
    """The report items of every family, kept from order changes as the stream handler keeps them."""

    def __init__(self):
        self.sales, self.products, self.payments, self.customer_days, self.periods = {}, {}, {}, {}, {}
        self.activities: dict[str, dict] = {}

    def change(self, before: OrderFacts | None, after: OrderFacts | None) -> None:
        for items, deltas in ((self.sales, sales_deltas), (self.products, product_deltas),
                              (self.payments, payment_deltas), (self.customer_days, customer_day_deltas)):
            for key, figures in deltas(before, after).items():
                add_into(items, key, figures)
        for customer in customers_touched(before, after):
            old = self.activities.get(customer, {})
            new = activity_after(old, before, after, customer)
            self.activities[customer] = new
            for key, figures in customer_period_deltas(old, new).items():
                add_into(self.periods, key, figures)

    def read_sales(self, **query) -> dict:
        items = [(*key, figures) for key, figures in self.sales.items()]
        return sales_report(SalesQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", **query}), items, NOW)

    def read_products(self, offset=0, catalogue=None, **query) -> tuple[dict, int | None]:
        items = [(*key, figures) for key, figures in self.products.items()]
        query = ProductsQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", **query})
        return products_report(query, items, catalogue or {}, offset, NOW)

    def read_payments(self, **query) -> dict:
        items = [(*key, figures) for key, figures in self.payments.items()]
        return payments_report(PaymentsQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", **query}), items, NOW)

    def read_customers(self, **query) -> dict:
        query = CustomersQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", **query})
        periods = [(period, figures) for (kind, period), figures in self.periods.items() if kind == query.group_by]
        days = [(*key, figures) for key, figures in self.customer_days.items()]
        return customers_report(query, periods, days, NOW)

    def all_zero(self) -> bool:
        families = (self.sales, self.products, self.payments, self.customer_days, self.periods)
        return all(value == 0 for items in families for figures in items.values() for value in figures.values())


def _day(report: dict, period: str) -> dict:
    return next(row for row in report["rows"] if row["period"] == period)


# Sales

def test_placed_order_counts_gross_discounts_and_shipping_on_its_day():
    # Given an order: 2 mugs at 12.50, a tea at 8.00 with 1.00 off, 3.20 off the order, 4.90 shipping
    ledger = Ledger()
    ledger.change(None, _order(lines=(MUG, TEA), order_discount=320))
    # When the merchant reads March by day
    report = ledger.read_sales()
    # Then the order counts on its day, and only there
    assert _day(report, "2026-03-02") == {
        "period": "2026-03-02", "orders": 1, "units_sold": 3, "gross_sales": 3300, "discounts": 420, "returns": 0,
        "net_sales": 2880, "shipping": 490, "total_sales": 3370, "average_order_value": 2880, "cancelled_orders": 0}
    assert report["totals"]["total_sales"] == 3370
    assert sum(row["orders"] for row in report["rows"]) == 1
    assert len(report["rows"]) == 31 and report["rows"][0]["period"] == "2026-03-01"


def test_refund_on_a_later_day_counts_as_returns_that_day():
    # Given an order placed on the 2nd and refunded on the 5th
    ledger = Ledger()
    placed = _order(lines=(MUG, TEA), order_discount=320)
    ledger.change(None, placed)
    ledger.change(placed, dataclasses.replace(placed, payment_status="refunded", refunded_day="2026-03-05"))
    # When the merchant reads March
    report = ledger.read_sales()
    # Then the 2nd keeps the sale, the 5th shows the return and the shipping given back
    assert _day(report, "2026-03-02")["total_sales"] == 3370
    refund_day = _day(report, "2026-03-05")
    assert (refund_day["orders"], refund_day["returns"], refund_day["shipping"]) == (0, 2880, -490)
    assert (refund_day["net_sales"], refund_day["total_sales"], refund_day["average_order_value"]) == (-2880, -3370, 0)
    # And over the month the order nets to nothing but stays an order
    assert (report["totals"]["total_sales"], report["totals"]["net_sales"], report["totals"]["orders"]) == (0, 0, 1)


def test_cancelled_and_test_orders_count_only_as_cancelled_and_nowhere():
    # Given a cancelled order, a rejected one and a test order
    ledger = Ledger()
    ledger.change(None, _order("o1", status="cancelled"))
    ledger.change(None, _order("o2", status="rejected", payment_status="refunded", refunded_day="2026-03-04"))
    ledger.change(None, _order("o3", is_test=True))
    # When the merchant reads March
    totals = ledger.read_sales()["totals"]
    # Then only the two called-off orders show, as cancelled
    assert totals["cancelled_orders"] == 2
    assert all(value == 0 for name, value in totals.items() if name != "cancelled_orders")


def test_placing_then_cancelling_returns_every_figure_to_zero_but_cancelled():
    # Given an order placed, then cancelled
    ledger = Ledger()
    placed = _order(lines=(MUG, TEA))
    ledger.change(None, placed)
    ledger.change(placed, dataclasses.replace(placed, status="cancelled"))
    # Then the day shows one cancelled order and nothing else
    day = _day(ledger.read_sales(), "2026-03-02")
    assert day["cancelled_orders"] == 1
    assert all(value == 0 for name, value in day.items() if name not in ("period", "cancelled_orders"))
    # And deleting it leaves every item of every report at zero
    cancelled = dataclasses.replace(placed, status="cancelled")
    ledger.change(cancelled, None)
    assert ledger.all_zero()


def test_editing_a_quantity_applies_only_the_difference():
    # Given an order of 2 mugs, edited to 3
    before = _order()
    after = _order(lines=(dataclasses.replace(MUG, quantity=3),))
    # When the change is described
    deltas = sales_deltas(before, after)
    # Then every dimension of the day (all, and each of the 15 sets of filters) moves by one mug, and nothing else
    assert deltas[("2026-03-02", "all", "all")] == {"units_sold": 1, "gross_sales": 1250}
    assert len(deltas) == 16
    assert all(figures == {"units_sold": 1, "gross_sales": 1250} for figures in deltas.values())


def test_identical_images_change_nothing_anywhere():
    # Given an order whose image did not change in any figure (e.g. a new note)
    order = _order(lines=(MUG, TEA), order_discount=320, payment_status="refunded", refunded_day="2026-03-09")
    # Then no family has a delta, whatever else moved
    assert sales_deltas(order, order) == product_deltas(order, order) == payment_deltas(order, order) == {}
    assert customer_day_deltas(order, order) == {}
    activity = activity_after({}, None, order)
    assert activity_after(activity, order, order) == activity
    assert customer_period_deltas(activity, activity) == {}


def test_an_order_placed_just_after_local_midnight_counts_on_the_local_day():
    # Given a Paris store and an order placed at 23:30 UTC on March 1st (00:30 on the 2nd in Paris)
    ledger = Ledger()
    ledger.change(None, _order(day=local_day("2026-03-01T23:30:00Z", "Europe/Paris")))
    # Then it counts on March 2nd
    report = ledger.read_sales()
    assert (_day(report, "2026-03-01")["orders"], _day(report, "2026-03-02")["orders"]) == (0, 1)


def test_filters_read_one_item_per_day_whatever_they_combine():
    # Given three orders: card to France, PayPal to France, card to Germany
    ledger = Ledger()
    ledger.change(None, _order("o1"))
    ledger.change(None, _order("o2", payment_method="paypal"))
    ledger.change(None, _order("o3", country="DE", group_id=None))
    # Then one filter reads its dimension, two their combined dimension
    query = SalesQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", "country": "FR"})
    assert sales_source(query) == ("country", "FR")
    assert sales_source(msgspec.structs.replace(query, payment_method="card")) == ("payment_method+country", "card|FR")
    assert ledger.read_sales(country="FR")["totals"]["orders"] == 2
    assert ledger.read_sales(payment_method="card")["totals"]["orders"] == 2
    assert ledger.read_sales(payment_method="card", country="FR")["totals"]["orders"] == 1
    assert ledger.read_sales(payment_method="card", country="DE", group="none")["totals"]["orders"] == 1
    assert ledger.read_sales(payment_method="paypal", country="DE")["totals"]["orders"] == 0


def test_weeks_and_months_list_every_period_and_sum_only_days_in_range():
    # Given orders on Tue Feb 24 (before the range), Mon Mar 2 and Fri Mar 20
    ledger = Ledger()
    for order_id, day in (("o1", "2026-02-24"), ("o2", "2026-03-02"), ("o3", "2026-03-20")):
        ledger.change(None, _order(order_id, day=day))
    # When the merchant reads Feb 25 to Apr 3 by week
    weeks = ledger.read_sales(**{"from": "2026-02-25", "to": "2026-04-03", "group_by": "week"})
    # Then every ISO week is a row, named by its Monday, the first one before `from` but without Feb 24
    assert [row["period"] for row in weeks["rows"]] == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16",
                                                        "2026-03-23", "2026-03-30"]
    assert [row["orders"] for row in weeks["rows"]] == [0, 1, 0, 1, 0, 0]
    # And by month: February (from the 25th), March, April
    months = ledger.read_sales(**{"from": "2026-02-25", "to": "2026-04-03", "group_by": "month"})
    assert [(row["period"], row["orders"]) for row in months["rows"]] == [
        ("2026-02-01", 0), ("2026-03-01", 2), ("2026-04-01", 0)]
    assert months["totals"]["gross_sales"] == 2 * 2500


def test_average_order_value_is_rounded_half_up_to_the_cent():
    # Given two orders whose net sales add up to 10.01
    ledger = Ledger()
    ledger.change(None, _order("o1", lines=(FactLine("A", "A", 1, 500),)))
    ledger.change(None, _order("o2", lines=(FactLine("B", "B", 1, 501),)))
    # Then the average is 5.01 (5.005 rounded half up)
    assert ledger.read_sales()["totals"]["average_order_value"] == 501


# Products

CATALOGUE = {
    "MUG-01": {"name": "Mug", "price": 1300, "category": "kitchen", "brand": "Acme", "status": "active"},
    "TEA-01": {"name": "Tea", "price": 800, "category": "food", "brand": "Acme", "status": "active"},
    "BAG-01": {"name": "Bag", "price": 2000, "category": "kitchen", "brand": "Other", "status": "archived"},
}
BAG = FactLine("BAG-01", "Bag", 1, 2000)


def test_products_gross_equals_the_sales_gross_with_refunds_and_discounts():
    # Given a discounted order later refunded, an order with the mug on two lines, a cancelled and a test order
    ledger = Ledger()
    refunded = _order("o1", lines=(MUG, TEA), order_discount=320)
    ledger.change(None, refunded)
    ledger.change(refunded, dataclasses.replace(refunded, payment_status="refunded", refunded_day="2026-03-06"))
    ledger.change(None, _order("o2", day="2026-03-10", lines=(MUG, dataclasses.replace(MUG, quantity=1, unit_price=1000))))
    ledger.change(None, _order("o3", lines=(BAG,), status="cancelled"))
    ledger.change(None, _order("o4", lines=(BAG,), is_test=True))
    # When the merchant reads the products of March
    page, next_offset = ledger.read_products(catalogue=CATALOGUE)
    # Then the refunded order keeps its gross, the mug counts once per order, cancelled and test orders are absent
    assert [(row["sku"], row["units_sold"], row["gross_sales"], row["orders"]) for row in page["rows"]] == [
        ("MUG-01", 5, 6000, 2), ("TEA-01", 1, 800, 1)]
    assert page["totals"]["gross_sales"] == ledger.read_sales()["totals"]["gross_sales"] == 6800
    assert next_offset is None
    assert page["rows"][0] == {"sku": "MUG-01", "name": "Mug", "units_sold": 5, "gross_sales": 6000, "orders": 2,
                                   "price": 1300, "category": "kitchen", "brand": "Acme", "status": "active"}


def _shop_with_three_products() -> Ledger:
    ledger = Ledger()
    ledger.change(None, _order("o1", lines=(dataclasses.replace(MUG, quantity=4, unit_price=500),)))  # 4 units, 2000
    ledger.change(None, _order("o2", lines=(dataclasses.replace(TEA, quantity=1, unit_price=2000, discount=0),)))
    ledger.change(None, _order("o3", lines=(dataclasses.replace(BAG, quantity=2, unit_price=1500),)))  # 2 units, 3000
    ledger.change(None, _order("o4", lines=(FactLine("GONE-1", "Old thing", 1, 100),)))
    return ledger


def test_products_sort_by_sales_or_units_with_ties_by_sku():
    # Given a bag (3000), a mug (2000, 4 units), a tea (2000, 1 unit) and a sku no longer in the catalogue
    ledger = _shop_with_three_products()
    # Then by sales the mug and the tea tie and go by sku; by units the mug leads
    by_sales, _ = ledger.read_products(catalogue=CATALOGUE)
    assert [row["sku"] for row in by_sales["rows"]] == ["BAG-01", "MUG-01", "TEA-01", "GONE-1"]
    by_units, _ = ledger.read_products(catalogue=CATALOGUE, sort="units_sold")
    assert [row["sku"] for row in by_units["rows"]] == ["MUG-01", "BAG-01", "GONE-1", "TEA-01"]
    # And the unknown sku shows without catalogue fields
    assert by_sales["rows"][-1]["name"] is None and by_sales["rows"][-1]["price"] is None


def test_products_filter_by_category_brand_and_status_and_page():
    ledger = _shop_with_three_products()
    # When the merchant filters
    kitchen, _ = ledger.read_products(catalogue=CATALOGUE, category="kitchen")
    acme_active, _ = ledger.read_products(catalogue=CATALOGUE, brand="Acme", status="active")
    # Then only the products that match are listed, and totals follow the filter
    assert [row["sku"] for row in kitchen["rows"]] == ["BAG-01", "MUG-01"]
    assert kitchen["totals"] == {"products": 2, "units_sold": 6, "gross_sales": 5000}
    assert [row["sku"] for row in acme_active["rows"]] == ["MUG-01", "TEA-01"]
    # When reading two at a time, the pages follow each other to the end
    first, offset = ledger.read_products(catalogue=CATALOGUE, limit="2")
    second, last = ledger.read_products(offset=offset, catalogue=CATALOGUE, limit="2")
    assert [row["sku"] for row in first["rows"] + second["rows"]] == ["BAG-01", "MUG-01", "TEA-01", "GONE-1"]
    assert (offset, last, second["totals"]["products"]) == (2, None, 4)
    with pytest.raises(BadRequest):
        ledger.read_products(offset=-1)


def test_products_edited_away_are_not_listed():
    # Given an order whose bag line was removed
    ledger = Ledger()
    before = _order(lines=(MUG, BAG))
    ledger.change(None, before)
    ledger.change(before, _order(lines=(MUG,)))
    # Then the bag is not in the report
    page, _ = ledger.read_products(catalogue=CATALOGUE)
    assert [row["sku"] for row in page["rows"]] == ["MUG-01"]


# Customers

def _row(report: dict, period: str) -> dict:
    return {name: value for name, value in _day(report, period).items() if value and name != "period"}


def test_first_order_makes_a_new_customer_and_later_ones_a_returning_one():
    # Given Ann ordering on Mar 2 and Mar 3, Bob on Mar 3
    ledger = Ledger()
    ledger.change(None, _order("o1", day="2026-03-02"))
    ledger.change(None, _order("o2", day="2026-03-03", lines=(TEA,)))
    ledger.change(None, _order("o3", day="2026-03-03", customer="bob"))
    # When the merchant reads by day
    by_day = ledger.read_customers()
    # Then Ann is new on the 2nd and returning on the 3rd, where Bob is new
    assert _row(by_day, "2026-03-02") == {"new_customers": 1, "new_customer_orders": 1, "new_customer_net_sales": 2500}
    assert _row(by_day, "2026-03-03") == {"new_customers": 1, "new_customer_orders": 1, "new_customer_net_sales": 2500,
                                          "returning_customers": 1, "returning_customer_orders": 1,
                                          "returning_customer_net_sales": 700}
    # And in the week and the month both are new, Ann with her two orders
    by_week = ledger.read_customers(group_by="week")
    assert _row(by_week, "2026-03-02") == {"new_customers": 2, "new_customer_orders": 3, "new_customer_net_sales": 5700}
    assert by_day["totals"] == {"new_customers": 2, "returning_customers": 0, "customers": 2,
                                     "new_customer_orders": 2, "returning_customer_orders": 1,
                                     "new_customer_net_sales": 5000, "returning_customer_net_sales": 700}


def test_history_in_any_order_gives_the_same_report():
    # Given Ann's orders across two months and a guest order, arriving in every possible order
    orders = [_order("o1", day="2026-02-10"), _order("o2", day="2026-03-02", lines=(TEA,)),
              _order("o3", day="2026-03-20", lines=(BAG,)), _order("g1", day="2026-03-02", customer="g1", is_guest=True)]
    reports = set()
    for arrival in itertools.permutations(orders):
        ledger = Ledger()
        for order in arrival:
            ledger.change(None, order)
        # Then the items are the same, whatever the order of arrival
        reports.add(repr(sorted((key, sorted((name, value) for name, value in figures.items() if value))
                                for key, figures in ledger.periods.items() if any(figures.values()))))
    assert len(reports) == 1
    # And Ann is returning in March (she first ordered in February), the guest new
    month = ledger.read_customers(group_by="month")
    assert _row(month, "2026-03-01") == {"new_customers": 1, "new_customer_orders": 1, "new_customer_net_sales": 2500,
                                         "returning_customers": 1, "returning_customer_orders": 2,
                                         "returning_customer_net_sales": 2700}


def test_cancelling_a_first_order_moves_new_to_the_next_orders_period():
    # Given Ann's first order in February and her second in March
    ledger = Ledger()
    first = _order("o1", day="2026-02-10")
    ledger.change(None, first)
    ledger.change(None, _order("o2", day="2026-03-02"))
    assert _row(ledger.read_customers(group_by="month"), "2026-03-01")["returning_customers"] == 1
    # When the February order is cancelled
    ledger.change(first, dataclasses.replace(first, status="cancelled"))
    # Then she is a new customer of March, and February has no customer any more
    month = ledger.read_customers(**{"from": "2026-02-01", "group_by": "month"})
    assert _row(month, "2026-03-01") == {"new_customers": 1, "new_customer_orders": 1, "new_customer_net_sales": 2500}
    assert _row(month, "2026-02-01") == {}


def test_guest_orders_are_each_a_new_customer_and_refunds_keep_the_order_without_its_money():
    # Given two guest orders the same day, one of them refunded
    ledger = Ledger()
    ledger.change(None, _order("g1", customer="g1", is_guest=True))
    refunded = _order("g2", customer="g2", is_guest=True, lines=(TEA,))
    ledger.change(None, refunded)
    ledger.change(refunded, dataclasses.replace(refunded, payment_status="refunded", refunded_day="2026-03-04"))
    # Then both are new customers; the refunded one brings no net sales
    assert _row(ledger.read_customers(), "2026-03-02") == {"new_customers": 2, "new_customer_orders": 2,
                                                           "new_customer_net_sales": 2500}


def test_an_order_moving_to_another_customer_moves_their_activity():
    # Given an order first recorded for Ann, then given to Bob
    ledger = Ledger()
    for_ann = _order("o1")
    ledger.change(None, for_ann)
    ledger.change(for_ann, dataclasses.replace(for_ann, customer_key="bob"))
    # Then Ann has no activity left and Bob is the day's new customer
    assert ledger.activities["c1"] == {} and ledger.activities["bob"] == {"2026-03-02": (1, 2500)}
    report = ledger.read_customers()
    assert report["top_customers"] == [{"customer_id": "bob", "orders": 1, "net_sales": 2500}]
    assert report["totals"]["new_customers"] == report["totals"]["customers"] == 1


def test_top_customers_and_countries_cover_the_range():
    # Given Ann (two orders, one to Germany), Bob (one order of two bags), Cy (one order on April 2)
    ledger = Ledger()
    ledger.change(None, _order("o1", day="2026-03-02"))
    ledger.change(None, _order("o2", day="2026-03-09", country="DE"))
    ledger.change(None, _order("o3", day="2026-03-03", customer="bob", lines=(BAG, BAG)))
    ledger.change(None, _order("o4", day="2026-04-02", customer="cy"))
    # When the merchant reads March
    report = ledger.read_customers()
    # Then Ann leads on net sales (two orders), Bob follows; Cy ordered after the range
    assert report["top_customers"] == [{"customer_id": "c1", "orders": 2, "net_sales": 5000},
                                       {"customer_id": "bob", "orders": 1, "net_sales": 4000}]
    # And Ann counts as a customer in France and in Germany
    assert report["by_country"] == [{"country": "FR", "customers": 2, "orders": 2, "net_sales": 6500},
                                    {"country": "DE", "customers": 1, "orders": 1, "net_sales": 2500}]
    totals = report["totals"]
    assert (totals["customers"], totals["new_customers"], totals["returning_customers"]) == (2, 2, 0)


def test_customers_by_week_or_month_cover_whole_periods():
    # Given Ann's orders on Feb 27 and Mar 3, and a report asked from Mar 1 to Mar 3 by week
    ledger = Ledger()
    ledger.change(None, _order("o1", day="2026-02-27"))
    ledger.change(None, _order("o2", day="2026-03-03"))
    weekly = ledger.read_customers(to="2026-03-03", group_by="week")
    # Then the answer covers the weeks it touches, Monday Feb 23 to Sunday Mar 8
    assert (weekly["from"], weekly["to"]) == ("2026-02-23", "2026-03-08")
    assert [row["period"] for row in weekly["rows"]] == ["2026-02-23", "2026-03-02"]
    assert (_row(weekly, "2026-02-23")["new_customers"], _row(weekly, "2026-03-02")["returning_customers"]) == (1, 1)
    # And the distinct customers of the range: one, new in it
    totals = weekly["totals"]
    assert (totals["customers"], totals["new_customers"], totals["returning_customers"]) == (1, 1, 0)
    # While by day from Mar 1 she is returning only
    daily = ledger.read_customers(to="2026-03-03")
    assert (daily["totals"]["customers"], daily["totals"]["new_customers"], daily["totals"]["returning_customers"]) == (1, 0, 1)


def test_new_and_returning_orders_add_up_to_the_sales_orders():
    # Given a month of orders from three customers and a guest, one cancelled
    ledger = Ledger()
    for index, (customer, day) in enumerate([("a", "02"), ("b", "02"), ("a", "05"), ("c", "09"), ("b", "20"), ("g", "20")]):
        ledger.change(None, _order(f"o{index}", day=f"2026-03-{day}", customer=customer))
    ledger.change(None, _order("x", day="2026-03-21", customer="a", status="cancelled"))
    # Then every day's new + returning orders are the day's sales orders
    sales, customers = ledger.read_sales(), ledger.read_customers()
    for sales_row, customer_row in zip(sales["rows"], customers["rows"], strict=True):
        assert sales_row["orders"] == customer_row["new_customer_orders"] + customer_row["returning_customer_orders"]
    assert customers["totals"]["customers"] == 4


# Payments

def test_payments_count_orders_by_their_current_payment_status():
    # Given a card order paid after placing, a wire transfer awaiting, a cash-on-delivery order and a test order
    ledger = Ledger()
    card = _order("o1", payment_status="awaiting_payment")
    ledger.change(None, card)
    ledger.change(card, dataclasses.replace(card, payment_status="paid"))
    ledger.change(None, _order("o2", payment_method="wire_transfer", payment_status="awaiting_verification"))
    ledger.change(None, _order("o3", payment_method="cash_on_delivery", payment_status="unpaid", lines=(TEA,)))
    ledger.change(None, _order("o4", is_test=True))
    # When the merchant reads March
    report = ledger.read_payments()
    # Then the card order is paid, the others awaiting; the test order is absent
    assert report["summary"] == [
        {"payment_method": "card", "payment_status": "paid", "orders": 1, "amount": 2990, "refunds": 0},
        {"payment_method": "cash_on_delivery", "payment_status": "unpaid", "orders": 1, "amount": 1190, "refunds": 0},
        {"payment_method": "wire_transfer", "payment_status": "awaiting_verification", "orders": 1, "amount": 2990,
         "refunds": 0}]
    assert report["totals"] == {"orders": 3, "amount": 7170, "refunds": 0, "paid_orders": 1, "paid_amount": 2990,
                                "awaiting_orders": 2, "awaiting_amount": 4180}
    assert [row["period"] for row in report["rows"]] == ["2026-03-02"] * 3


def test_refunds_count_on_the_refund_day_and_called_off_orders_only_if_money_moved():
    # Given a paid order refunded on the 9th, a cancelled unpaid order and a cancelled paid one
    ledger = Ledger()
    paid = _order("o1")
    ledger.change(None, paid)
    ledger.change(paid, dataclasses.replace(paid, payment_status="refunded", refunded_day="2026-03-09"))
    ledger.change(None, _order("o2", status="cancelled", payment_status="awaiting_payment"))
    ledger.change(None, _order("o3", status="cancelled", payment_method="paypal"))
    # When the merchant reads March by week
    report = ledger.read_payments(group_by="week")
    # Then the refund is in the week of the 9th, the paid cancelled order is in, the unpaid one is not
    assert report["rows"] == [
        {"period": "2026-03-02", "payment_method": "card", "payment_status": "refunded", "orders": 1, "amount": 2990,
         "refunds": 0},
        {"period": "2026-03-02", "payment_method": "paypal", "payment_status": "paid", "orders": 1, "amount": 2990,
         "refunds": 0},
        {"period": "2026-03-09", "payment_method": "card", "payment_status": "refunded", "orders": 0, "amount": 0,
         "refunds": 2990}]
    assert (report["totals"]["refunds"], report["totals"]["paid_amount"], report["totals"]["awaiting_amount"]) == (2990, 2990, 0)


# The whole UCI sample through the domain, against the independent oracle

def _uci_orders() -> list[OrderFacts]:
    """The sample's invoices as orders, by the import rules the oracle restates."""
    invoices: dict[str, list[dict]] = {}
    with open(UCI_SAMPLE, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            invoices.setdefault(row["InvoiceNo"], []).append(row)
    orders = []
    for number, rows in invoices.items():
        cancelled = number.startswith("C")
        kept = [row for row in rows if cancelled or int(row["Quantity"]) > 0]
        if not kept:
            continue
        lines = tuple(FactLine(row["StockCode"], row["Description"], abs(int(row["Quantity"])),
                               int((Decimal(row["UnitPrice"]) * 100).quantize(Decimal(1), ROUND_HALF_UP))) for row in kept)
        placed = min(datetime.strptime(row["InvoiceDate"], "%m/%d/%Y %H:%M") for row in kept)
        guest = rows[0]["CustomerID"] in ("NA", "")
        orders.append(_order(number, day=placed.date().isoformat(), lines=lines, shipping=0, country=rows[0]["Country"],
                             customer=f"guest:{number}" if guest else rows[0]["CustomerID"], is_guest=guest,
                             status="cancelled" if cancelled else "open"))
    return orders


@pytest.fixture(scope="module")
def uci() -> tuple[Ledger, UciOracle]:
    ledger = Ledger()
    for order in reversed(_uci_orders()):  # newest first: the customers' history arrives out of date order
        ledger.change(None, order)
    return ledger, UciOracle(UCI_SAMPLE)


@pytest.mark.parametrize("start, end, group_by", [
    ("2011-01-01", "2011-12-09", "day"), ("2010-12-01", "2011-12-09", "week"), ("2010-12-01", "2011-12-09", "month")])
def test_the_sample_sales_and_customers_equal_the_oracle(uci, start, end, group_by):
    ledger, oracle = uci
    query = {"from": start, "to": end, "group_by": group_by}
    sales, expected = ledger.read_sales(**query), oracle.sales(start, end, group_by)
    assert (sales["rows"], sales["totals"]) == (expected["rows"], expected["totals"])
    customers, expected = ledger.read_customers(**query), oracle.customers(start, end, group_by)
    for name in ("from", "to", "rows", "totals", "top_customers", "by_country"):
        assert customers[name] == expected[name], name


def test_the_sample_products_equal_the_oracle(uci):
    ledger, oracle = uci
    rows, offset = [], 0
    while offset is not None:
        page, offset = ledger.read_products(offset=offset, **{"from": "2010-12-09", "to": "2011-12-09", "limit": "200"})
        rows += [{name: row[name] for name in ("sku", "units_sold", "gross_sales", "orders")} for row in page["rows"]]
    expected = oracle.products("2010-12-09", "2011-12-09")
    assert (rows, page["totals"]) == (expected["rows"], expected["totals"])
