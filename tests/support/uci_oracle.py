"""An independent computation of the reports over the raw UCI Online Retail file, in SQL (duckdb),
to compare the running app's reports with. It shares no code with chalicelib: the import rules and
the report definitions are restated here, from the issue, so that a mistake in one is caught by the other.

Import rules (the orders import follows the same):
- one order per InvoiceNo; the lines of an invoice may be scattered in the file;
- an invoice whose number starts with `C` is a cancelled order: it counts only in `cancelled_orders`,
  on its day (its quantities are taken as absolute values);
- in any other invoice, a row with quantity <= 0 is rejected (not imported); an invoice left without
  lines is no order;
- unit prices become cents with Decimal half up; no shipping, no discounts, no refunds;
- an order's day is its InvoiceDate's date (the store's time zone is UTC);
- CustomerID is the customer; `NA` (or empty) makes a guest: each such invoice is a customer of its own,
  named here `guest:<InvoiceNo>`.

Report definitions: sales per period (orders, units_sold, gross_sales, ..., average_order_value half up,
cancelled_orders; every period of the range present); products over a range (units_sold, gross_sales,
orders per sku); customers per period, the range widened to whole periods (new = first order ever in
the period, returning = ordered before; their orders and net sales), totals with distinct customers,
top customers by net sales (ties: more orders, then customer id), and by country (raw Country names).
"""
import calendar
from datetime import date, timedelta
from pathlib import Path

import duckdb

PERIOD_SQL = {"day": "{day}", "week": "CAST(date_trunc('week', {day}) AS DATE)",
              "month": "CAST(date_trunc('month', {day}) AS DATE)"}  # ISO weeks start on Mondays


def _period(group_by: str, column: str = "day") -> str:
    return PERIOD_SQL[group_by].replace("{day}", column)

_LOAD = """
CREATE TABLE raw_rows AS
SELECT InvoiceNo AS invoice, StockCode AS sku, Description AS description,
       CAST(Quantity AS INTEGER) AS quantity,
       CAST(strptime(InvoiceDate, '%m/%d/%Y %H:%M') AS DATE) AS day,
       CAST(round(CAST(UnitPrice AS DECIMAL(18, 6)) * 100, 0) AS BIGINT) AS unit_price,
       nullif(nullif(trim(CustomerID), 'NA'), '') AS customer,
       Country AS country
FROM read_csv($path, header = true, all_varchar = true, quote = '"', escape = '"');

CREATE TABLE lines AS
SELECT invoice, sku, description, abs(quantity) AS units, unit_price, day, customer, country,
       starts_with(invoice, 'C') AS cancelled
FROM raw_rows
WHERE starts_with(invoice, 'C') OR quantity > 0;

CREATE TABLE orders AS
SELECT invoice, bool_or(cancelled) AS cancelled, min(day) AS day, min(customer) AS customer,
       min(country) AS country, sum(units) AS units, sum(units * unit_price) AS gross
FROM lines GROUP BY invoice;

CREATE TABLE buyers AS
SELECT invoice, day, country, gross AS net, coalesce(customer, 'guest:' || invoice) AS customer_key
FROM orders WHERE NOT cancelled;

CREATE TABLE first_days AS
SELECT customer_key, min(day) AS first_day FROM buyers GROUP BY customer_key;
"""


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _whole(start: date, end: date, group_by: str) -> tuple[date, date]:
    if group_by == "week":
        return start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())
    if group_by == "month":
        return start.replace(day=1), end.replace(day=calendar.monthrange(end.year, end.month)[1])
    return start, end


class UciOracle:
    """The figures of the UCI sample's reports, computed from the raw file."""

    def __init__(self, path: str | Path):
        self.db = duckdb.connect()
        for statement in filter(str.strip, _LOAD.split(";")):
            self.db.execute(statement, {"path": str(path)} if "$path" in statement else None)

    def _dicts(self, sql: str, params: dict) -> list[dict]:
        cursor = self.db.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [{name: value.isoformat() if isinstance(value, date) else value for name, value in zip(names, row, strict=True)}
                for row in cursor.fetchall()]

    def import_counts(self) -> dict:
        """What the import should see: rows, rejected rows, orders, cancelled orders, distinct customers."""
        return self._dicts("""
            SELECT (SELECT count(*) FROM raw_rows) AS rows_total,
                   (SELECT count(*) FROM raw_rows) - (SELECT count(*) FROM lines) AS rejected,
                   (SELECT count(*) FROM orders WHERE NOT cancelled) AS orders,
                   (SELECT count(*) FROM orders WHERE cancelled) AS cancelled_orders,
                   (SELECT count(DISTINCT customer) FROM orders) AS customers,
                   (SELECT min(day) FROM orders) AS first_day, (SELECT max(day) FROM orders) AS last_day""", {})[0]

    def sales(self, start: date | str, end: date | str, group_by: str = "day") -> dict:
        """{"rows": [{period, orders, ...}], "totals": {...}}: every period touching [start, end], only
        the days inside summed."""
        period = _period(group_by)
        figures = """
            count(*) FILTER (WHERE NOT cancelled) AS orders,
            coalesce(sum(units) FILTER (WHERE NOT cancelled), 0) AS units_sold,
            coalesce(sum(gross) FILTER (WHERE NOT cancelled), 0) AS gross_sales,
            count(*) FILTER (WHERE cancelled) AS cancelled_orders"""
        derived = """
            CAST(coalesce(orders, 0) AS BIGINT) AS orders, CAST(coalesce(units_sold, 0) AS BIGINT) AS units_sold,
            CAST(coalesce(gross_sales, 0) AS BIGINT) AS gross_sales, CAST(0 AS BIGINT) AS discounts,
            CAST(0 AS BIGINT) AS returns, CAST(coalesce(gross_sales, 0) AS BIGINT) AS net_sales,
            CAST(0 AS BIGINT) AS shipping, CAST(coalesce(gross_sales, 0) AS BIGINT) AS total_sales,
            CAST(CASE WHEN coalesce(orders, 0) = 0 THEN 0
                      ELSE sign(gross_sales) * ((2 * abs(gross_sales) + orders) // (2 * orders)) END AS BIGINT)
                AS average_order_value,
            CAST(coalesce(cancelled_orders, 0) AS BIGINT) AS cancelled_orders"""
        params = {"start": _day(start), "end": _day(end)}
        rows = self._dicts(f"""
            WITH periods AS (
                SELECT DISTINCT {period} AS period
                FROM (SELECT CAST(d AS DATE) AS day FROM generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY) t(d))),
            sums AS (SELECT {period} AS period, {figures} FROM orders WHERE day BETWEEN $start AND $end GROUP BY 1)
            SELECT periods.period, {derived} FROM periods LEFT JOIN sums USING (period) ORDER BY periods.period""", params)
        totals = self._dicts(f"""
            WITH sums AS (SELECT {figures} FROM orders WHERE day BETWEEN $start AND $end)
            SELECT {derived} FROM sums""", params)[0]
        return {"rows": rows, "totals": totals}

    def products(self, start: date | str, end: date | str) -> dict:
        """{"rows": [{sku, units_sold, gross_sales, orders}] by gross sales then sku, "totals": {...}}."""
        params = {"start": _day(start), "end": _day(end)}
        rows = self._dicts("""
            SELECT sku, CAST(sum(units) AS BIGINT) AS units_sold, CAST(sum(units * unit_price) AS BIGINT) AS gross_sales,
                   CAST(count(DISTINCT invoice) AS BIGINT) AS orders
            FROM lines WHERE NOT cancelled AND day BETWEEN $start AND $end
            GROUP BY sku ORDER BY gross_sales DESC, sku""", params)
        totals = {"products": len(rows), "units_sold": sum(row["units_sold"] for row in rows),
                  "gross_sales": sum(row["gross_sales"] for row in rows)}
        return {"rows": rows, "totals": totals}

    def customers(self, start: date | str, end: date | str, group_by: str = "day", top: int = 10) -> dict:
        """{"from", "to" (widened to whole periods), "rows", "totals", "top_customers", "by_country"}."""
        first, last = _whole(_day(start), _day(end), group_by)
        period = _period(group_by)
        params = {"start": first, "end": last}
        rows = self._dicts(f"""
            WITH periods AS (
                SELECT DISTINCT {period} AS period
                FROM (SELECT CAST(d AS DATE) AS day FROM generate_series($start::DATE, $end::DATE, INTERVAL 1 DAY) t(d))),
            per_customer AS (
                SELECT {period} AS period, customer_key, count(*) AS orders, sum(net) AS net,
                       bool_and({_period(group_by, "first_day")} = {period}) AS is_new
                FROM buyers JOIN first_days USING (customer_key)
                WHERE day BETWEEN $start AND $end GROUP BY 1, 2),
            sums AS (
                SELECT period,
                       count(*) FILTER (WHERE is_new) AS new_customers,
                       count(*) FILTER (WHERE NOT is_new) AS returning_customers,
                       sum(orders) FILTER (WHERE is_new) AS new_customer_orders,
                       sum(orders) FILTER (WHERE NOT is_new) AS returning_customer_orders,
                       sum(net) FILTER (WHERE is_new) AS new_customer_net_sales,
                       sum(net) FILTER (WHERE NOT is_new) AS returning_customer_net_sales
                FROM per_customer GROUP BY period)
            SELECT periods.period,
                   CAST(coalesce(new_customers, 0) AS BIGINT) AS new_customers,
                   CAST(coalesce(returning_customers, 0) AS BIGINT) AS returning_customers,
                   CAST(coalesce(new_customer_orders, 0) AS BIGINT) AS new_customer_orders,
                   CAST(coalesce(returning_customer_orders, 0) AS BIGINT) AS returning_customer_orders,
                   CAST(coalesce(new_customer_net_sales, 0) AS BIGINT) AS new_customer_net_sales,
                   CAST(coalesce(returning_customer_net_sales, 0) AS BIGINT) AS returning_customer_net_sales
            FROM periods LEFT JOIN sums USING (period) ORDER BY periods.period""", params)
        distinct = self._dicts("""
            SELECT CAST(count(DISTINCT customer_key) AS BIGINT) AS customers,
                   CAST(count(DISTINCT customer_key) FILTER (WHERE first_day BETWEEN $start AND $end) AS BIGINT) AS new_customers
            FROM buyers JOIN first_days USING (customer_key) WHERE day BETWEEN $start AND $end""", params)[0]
        totals = {name: sum(row[name] for row in rows) for name in rows[0] if name != "period"}
        totals.update(distinct, returning_customers=distinct["customers"] - distinct["new_customers"])
        top_customers = self._dicts("""
            SELECT customer_key AS customer_id, CAST(count(*) AS BIGINT) AS orders, CAST(sum(net) AS BIGINT) AS net_sales
            FROM buyers WHERE day BETWEEN $start AND $end
            GROUP BY customer_key ORDER BY net_sales DESC, orders DESC, customer_id LIMIT $top""", {**params, "top": top})
        by_country = self._dicts("""
            SELECT country, CAST(count(DISTINCT customer_key) AS BIGINT) AS customers, CAST(count(*) AS BIGINT) AS orders,
                   CAST(sum(net) AS BIGINT) AS net_sales
            FROM buyers WHERE day BETWEEN $start AND $end
            GROUP BY country ORDER BY net_sales DESC, country""", params)
        return {"from": first.isoformat(), "to": last.isoformat(), "rows": rows, "totals": totals,
                "top_customers": top_customers, "by_country": by_country}
