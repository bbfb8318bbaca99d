"""The report definitions without storage: what an order change adds to the report items, and the
reports read from them. `Ledger` plays the stream handler: it applies every family's deltas."""
import dataclasses
import itertools

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
from chalicelib.domain.reports_inputs import CustomersQuery, PaymentsQuery, ProductsQuery, SalesQuery
from chalicelib.domain.reports_payments import payment_deltas, payments_report
from chalicelib.domain.reports_products import product_deltas, products_report
from chalicelib.domain.reports_sales import sales_deltas, sales_report, sales_source

MUG = FactLine("MUG-01", "Mug", 2, 1250)
TEA = FactLine("TEA-01", "Tea", 1, 800, discount=100)
NOW = "2026-03-31T00:00:00Z"


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
    # Then every dimension of the day moves by one mug, and nothing else moves
    assert deltas[("2026-03-02", "all", "all")] == {"units_sold": 1, "gross_sales": 1250}
    assert len(deltas) == 6
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


def test_filters_read_one_dimension_or_the_combinations():
    # Given three orders: card to France, PayPal to France, card to Germany
    ledger = Ledger()
    ledger.change(None, _order("o1"))
    ledger.change(None, _order("o2", payment_method="paypal"))
    ledger.change(None, _order("o3", country="DE", group_id=None))
    # Then one filter reads its dimension, two read the combinations
    query = SalesQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31", "country": "FR"})
    assert sales_source(query) == ("country", "FR")
    assert sales_source(query.model_copy(update={"payment_method": "card"})) == ("combo", None)
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
