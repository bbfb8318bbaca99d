"""The nightly report files: CSV of any report, SVG chart of daily sales."""
import csv
import io
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from chalicelib.domain.report_files import money, report_csv, sales_chart_svg
from chalicelib.domain.reports_sales import sales_row

SVG = "{http://www.w3.org/2000/svg}"


def _sales_answer(totals_by_day: dict[str, int], start="2026-03-01", days=30) -> dict:
    rows = []
    for offset in range(days):
        day = (date.fromisoformat(start) + timedelta(days=offset)).isoformat()
        gross = totals_by_day.get(day, 0)
        rows.append({"period": day, **sales_row({"orders": 1 if gross else 0, "gross_sales": gross})})
    return {"report": "sales", "from": rows[0]["period"], "to": rows[-1]["period"], "group_by": "day", "rows": rows,
            "totals": sales_row({"orders": sum(1 for v in totals_by_day.values() if v),
                                 "gross_sales": sum(totals_by_day.values())}), "generated_at": "2026-03-31T00:05:00Z"}


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("minor, digits, text", [(123450, 2, "1234.50"), (5, 2, "0.05"), (-1001, 2, "-10.01"),
                                                 (0, 2, "0.00"), (1200, 0, "1200"), (1234, 3, "1.234")])
def test_money_is_written_from_integers(minor, digits, text):
    assert money(minor, digits) == text


def test_a_sales_csv_has_a_header_a_line_per_period_and_a_total():
    # Given a sales report of 30 days with two days of sales
    answer = _sales_answer({"2026-03-02": 3370, "2026-03-05": 1001})
    # When written as CSV
    lines = _read(report_csv(answer))
    # Then the header is the row's fields, money in major units, and the total last
    assert lines[0] == ["period", "orders", "units_sold", "gross_sales", "discounts", "returns", "net_sales", "shipping",
                        "total_sales", "average_order_value", "cancelled_orders"]
    assert len(lines) == 1 + 30 + 1
    assert lines[2] == ["2026-03-02", "1", "0", "33.70", "0.00", "0.00", "33.70", "0.00", "33.70", "33.70", "0"]
    assert lines[-1][:4] == ["total", "2", "0", "43.71"]
    assert lines[-1][9] == "21.86"  # 4371 / 2 half up


def test_a_products_csv_keeps_text_as_text_and_defuses_formulas():
    # Given a product whose name a spreadsheet would run, and one with accents and a comma
    answer = {"report": "products", "rows": [
        {"sku": "EVIL-1", "name": "=HYPERLINK(\"x\")", "units_sold": 2, "gross_sales": 500, "orders": 1, "price": 250,
         "category": None, "brand": "-Brand", "status": "active"},
        {"sku": "CAFE-1", "name": "Café, grand", "units_sold": 1, "gross_sales": 1990, "orders": 1, "price": 1990,
         "category": "boissons", "brand": "Acme", "status": "active"}],
        "totals": {"products": 2, "units_sold": 3, "gross_sales": 2490}}
    lines = _read(report_csv(answer))
    # Then formulas become text, empty values stay empty, UTF-8 survives
    assert lines[1] == ["EVIL-1", "'=HYPERLINK(\"x\")", "2", "5.00", "1", "2.50", "", "'-Brand", "active"]
    assert lines[2][1] == "Café, grand"
    assert lines[-1] == ["total", "", "3", "24.90", "", "", "", "", ""]


def test_a_payments_csv_lists_methods_and_statuses():
    answer = {"report": "payments", "rows": [
        {"period": "2026-03-02", "payment_method": "card", "payment_status": "paid", "orders": 2, "amount": 5980,
         "refunds": 0}], "totals": {"orders": 2, "amount": 5980, "refunds": 0, "paid_amount": 5980}}
    assert _read(report_csv(answer, digits=0)) == [
        ["period", "payment_method", "payment_status", "orders", "amount", "refunds"],
        ["2026-03-02", "card", "paid", "2", "5980", "0"], ["total", "", "", "2", "5980", "0"]]


def test_the_sales_chart_is_valid_svg_with_a_bar_per_day_and_labels():
    # Given 30 days of sales with a refund day below zero
    answer = _sales_answer({"2026-03-02": 3370, "2026-03-05": 120000, "2026-03-09": -2880})
    # When drawn
    svg = sales_chart_svg(answer, currency="EUR")
    root = ElementTree.fromstring(svg)
    # Then it parses as SVG with an accessible title and a description
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Total sales per day, 2026-03-01 to 2026-03-30"
    assert "30 days" in root.find(f"{SVG}desc").text
    # And one bar per day, each with its own title, the refund drawn downwards from the zero line
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 30
    assert bars[4].find(f"{SVG}title").text == "2026-03-05: 1200.00 (EUR)"
    heights = {bar.find(f"{SVG}title").text.split(":")[0]: float(bar.get("height")) for bar in bars}
    assert heights["2026-03-05"] > heights["2026-03-02"] > 0 and heights["2026-03-09"] > 0 and heights["2026-03-10"] == 0
    assert float(bars[8].get("y")) > float(bars[4].get("y"))  # below, not above
    # And the axes are labelled: money on the side, days below
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "Total sales (EUR)" in texts and "Day" in texts and "03-01" in texts and "0.00" in texts
    assert any(label.startswith("-") for label in texts)  # a tick below zero for the refund


def test_an_empty_month_still_draws_a_chart():
    svg = sales_chart_svg(_sales_answer({}))
    root = ElementTree.fromstring(svg)
    assert all(float(bar.get("height")) == 0 for bar in root.findall(f"{SVG}rect"))
