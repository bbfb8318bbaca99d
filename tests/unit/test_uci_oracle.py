"""The UCI oracle (tests/support/uci_oracle.py) checked on cases counted by hand: a small file made
for each import rule, and two days of the real sample."""
from pathlib import Path

import pytest

from tests.support.uci_oracle import UciOracle

SAMPLE = Path(__file__).parents[1] / "data" / "online_retail_sample.csv"
HEADER = '"","InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"\n'
# Monday Jan 5 2026: Ann's invoice 1001 (two lines, apart in the file), a guest's 1002, Bob's cancellation
# C1005, and 1003 whose only rows have no quantity. Wednesday Jan 14: Ann again. Monday Feb 2: Cy, one
# good row and one rejected.
ROWS = '''\
"1","1001","MUG","Mug",2,"1/5/2026 9:00",1.005,100,"France"
"2","1002","TEA","Tea ""green""",1,"1/5/2026 10:30",3.5,NA,"United Kingdom"
"3","1003","MUG","Mug",0,"1/5/2026 11:00",1.005,100,"France"
"4","1003","TEA","Tea",-2,"1/5/2026 11:00",3.5,100,"France"
"5","C1005","MUG","Mug",-4,"1/5/2026 12:00",1.25,200,"Germany"
"6","1001","BAG","Bag",1,"1/5/2026 9:01",10,100,"France"
"7","1004","MUG","Mug",3,"1/14/2026 23:59",1.25,100,"France"
"8","1006","BAG","Bag",1,"2/2/2026 0:00",10,300,"Germany"
"9","1006","MUG","Mug",-1,"2/2/2026 0:00",1.25,300,"Germany"
'''


@pytest.fixture
def oracle(tmp_path) -> UciOracle:
    path = tmp_path / "retail.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return UciOracle(path)


def _figures(row: dict, *names: str) -> tuple:
    return tuple(row[name] for name in names)


def test_import_counts_reject_rows_without_quantity_outside_cancellations(oracle):
    assert oracle.import_counts() == {"rows_total": 9, "rejected": 3, "orders": 4, "cancelled_orders": 1,
                                      "customers": 3, "first_day": "2026-01-05", "last_day": "2026-02-02"}


def test_sales_by_day_count_orders_units_and_cents_half_up(oracle):
    # When the oracle reads Jan 5 to Jan 6 by day
    rows = oracle.sales("2026-01-05", "2026-01-06")["rows"]
    # Then Jan 5 has Ann (2 mugs at 1.005 -> 1.01 each, a bag at 10.00) and the guest (3.50): 2 orders, 4 units,
    # 2.02 + 10.00 + 3.50 = 15.52, average 7.76, and Bob's cancellation; Jan 6 is a row of zeros
    assert _figures(rows[0], "period", "orders", "units_sold", "gross_sales", "net_sales", "total_sales",
                    "average_order_value", "cancelled_orders") == ("2026-01-05", 2, 4, 1552, 1552, 1552, 776, 1)
    assert rows[1] == {"period": "2026-01-06", "orders": 0, "units_sold": 0, "gross_sales": 0, "discounts": 0,
                       "returns": 0, "net_sales": 0, "shipping": 0, "total_sales": 0, "average_order_value": 0,
                       "cancelled_orders": 0}


def test_sales_by_week_and_month_list_every_period(oracle):
    weeks = oracle.sales("2026-01-07", "2026-02-02", "week")
    # Jan 7 is a Wednesday: its week starts Monday Jan 5, but Jan 5 is outside the range
    assert [_figures(row, "period", "orders", "gross_sales") for row in weeks["rows"]] == [
        ("2026-01-05", 0, 0), ("2026-01-12", 1, 375), ("2026-01-19", 0, 0), ("2026-01-26", 0, 0), ("2026-02-02", 1, 1000)]
    months = oracle.sales("2026-01-01", "2026-02-28", "month")
    assert [_figures(row, "period", "orders", "units_sold", "gross_sales", "cancelled_orders") for row in months["rows"]] == [
        ("2026-01-01", 3, 7, 1927, 1), ("2026-02-01", 1, 1, 1000, 0)]
    assert _figures(months["totals"], "orders", "gross_sales", "average_order_value") == (4, 2927, 732)  # 731.75


def test_products_count_each_order_once_per_sku(oracle):
    products = oracle.products("2026-01-01", "2026-02-28")
    assert products["rows"] == [{"sku": "BAG", "units_sold": 2, "gross_sales": 2000, "orders": 2},
                                {"sku": "MUG", "units_sold": 5, "gross_sales": 577, "orders": 2},
                                {"sku": "TEA", "units_sold": 1, "gross_sales": 350, "orders": 1}]
    assert products["totals"] == {"products": 3, "units_sold": 8, "gross_sales": 2927}


def test_customers_are_new_once_and_guests_each_new(oracle):
    # By day: Ann and the guest new on Jan 5, Ann returning on Jan 14, Cy new on Feb 2
    days = {row["period"]: row for row in oracle.customers("2026-01-01", "2026-02-28")["rows"]}
    assert _figures(days["2026-01-05"], "new_customers", "new_customer_orders", "new_customer_net_sales") == (2, 2, 1552)
    assert _figures(days["2026-01-14"], "new_customers", "returning_customers", "returning_customer_net_sales") == (0, 1, 375)
    # By month: Ann is new in January with both her orders
    report = oracle.customers("2026-01-10", "2026-02-10", "month")
    assert (report["from"], report["to"]) == ("2026-01-01", "2026-02-28")
    assert [_figures(row, "period", "new_customers", "returning_customers", "new_customer_orders") for row in report["rows"]] == [
        ("2026-01-01", 2, 0, 3), ("2026-02-01", 1, 0, 1)]
    assert _figures(report["totals"], "customers", "new_customers", "returning_customers") == (3, 3, 0)
    assert report["top_customers"] == [{"customer_id": "100", "orders": 2, "net_sales": 1577},
                                       {"customer_id": "300", "orders": 1, "net_sales": 1000},
                                       {"customer_id": "guest:1002", "orders": 1, "net_sales": 350}]
    assert report["by_country"] == [{"country": "France", "customers": 1, "orders": 2, "net_sales": 1577},
                                    {"country": "Germany", "customers": 1, "orders": 1, "net_sales": 1000},
                                    {"country": "United Kingdom", "customers": 1, "orders": 1, "net_sales": 350}]
    # And from Jan 10 by day, Ann is a returning customer of the range
    ranged = oracle.customers("2026-01-10", "2026-02-10")
    assert _figures(ranged["totals"], "customers", "new_customers", "returning_customers") == (2, 1, 1)


def test_a_day_of_the_real_sample_counted_by_hand():
    oracle = UciOracle(SAMPLE)
    # May 3 2011 in the file: 551702 (13014: 8 x 1.45), 551599 (15696: 6 x 2.95), 551719 (guest, two lines
    # apart: 2 x 4.13 and 1 x 4.13), 551566 (13113: 10 x 1.95), 551718 (guest: 1 x 0.83); 551668 only has a
    # row of -10 (rejected, no order); C551540 (14735) is a cancellation.
    may_3 = oracle.sales("2011-05-03", "2011-05-03")["rows"][0]
    assert _figures(may_3, "orders", "units_sold", "gross_sales", "average_order_value", "cancelled_orders") == (
        5, 28, 1160 + 1770 + 1239 + 1950 + 83, 1240, 1)
    # 13014 first ordered on Mar 3 2011 (545575): returning; the others are new
    customers = oracle.customers("2011-05-03", "2011-05-03")["rows"][0]
    assert customers == {"period": "2011-05-03", "new_customers": 4, "returning_customers": 1, "new_customer_orders": 4,
                         "returning_customer_orders": 1, "new_customer_net_sales": 1770 + 1950 + 1239 + 83,
                         "returning_customer_net_sales": 1160}
    # Jan 18 2011: two guest invoices, 541516 (14.13 + 1.63) and 541495 (10.79), and C541492: the average
    # 26.55 / 2 = 13.275 is rounded half up
    jan_18 = oracle.sales("2011-01-18", "2011-01-18")["rows"][0]
    assert _figures(jan_18, "orders", "units_sold", "gross_sales", "average_order_value", "cancelled_orders") == (
        2, 3, 2655, 1328, 1)


def test_the_real_sample_loads_whole():
    # 2,709 rows; the 7 rows with a quantity <= 0 outside C invoices are rejected (grep of the file)
    counts = UciOracle(SAMPLE).import_counts()
    assert (counts["rows_total"], counts["rejected"], counts["cancelled_orders"]) == (2709, 7, 50)
    assert (counts["first_day"], counts["last_day"]) == ("2010-12-01", "2011-12-09")
