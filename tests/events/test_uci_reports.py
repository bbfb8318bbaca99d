"""Figures that are right: the UCI Online Retail sample, brought in through the order history import
(its customers first, by their id on the platform), gives sales, products and customers reports
equal to the cent to an independent computation over the same file (tests/support/uci_oracle.py,
SQL in duckdb, no code shared with the app).

On DynamoDB Local the whole sample (2,709 lines, 374 days); on moto, whose index queries read the whole
table, its lines of February and March 2011 (331, with cancellations, guests and a rejected line; the
oracle then reads the same lines)."""
import csv
import io
from datetime import date, timedelta

import pytest

from tests.support.imports import drop, run_jobs
from tests.support.uci_oracle import UciOracle

SAMPLE = __import__("pathlib").Path(__file__).parents[1] / "data" / "online_retail_sample.csv"
MOTO_MONTHS = ("2/", "3/")  # of 2011: m/d/Y
COUNTRIES = {"United Kingdom": "GB", "France": "FR", "EIRE": "IE", "Germany": "DE", "Spain": "ES", "Netherlands": "NL",
             "Belgium": "BE", "Switzerland": "CH", "Portugal": "PT", "Italy": "IT", "Australia": "AU", "Finland": "FI",
             "Channel Islands": None, "Norway": "NO", "Cyprus": "CY", "Sweden": "SE", "Austria": "AT", "Iceland": "IS",
             "Denmark": "DK", "Poland": "PL", "Hong Kong": "HK", "Japan": "JP", "USA": "US", "Canada": "CA",
             "United Arab Emirates": "AE", "Singapore": "SG"}


@pytest.fixture
def uci(tmp_path, dynamodb_endpoint) -> tuple[bytes, UciOracle]:
    """The file the test imports, and the oracle over the very same bytes."""
    data = SAMPLE.read_bytes()
    if dynamodb_endpoint is None:
        header, *lines = data.decode().splitlines(keepends=True)
        data = (header + "".join(line for line in lines if _placed_in_moto_months(line))).encode()
    path = tmp_path / "uci.csv"
    path.write_bytes(data)
    return data, UciOracle(path)


def _placed_in_moto_months(line: str) -> bool:
    placed = next(csv.reader([line]))[5]
    return placed.startswith(MOTO_MONTHS) and placed.split(" ")[0].endswith("/2011")


def _customers_file(orders: bytes) -> bytes:
    """The store's customers of the sample, as an earlier customer import would bring them: their
    UCI CustomerID kept as the id they had on the platform."""
    ids = sorted({row["CustomerID"] for row in csv.DictReader(io.StringIO(orders.decode()))} - {"NA", ""})
    return ("\n".join(["Email,Customer ID", *(f"c{i}@example.com,{i}" for i in ids)]) + "\n").encode()


def _imported(api, token, source: str) -> dict:
    return next(j for j in api.get("/admin/imports", token=token).json["items"] if j["source"] == source)


def _report(api, token, name: str, start: date, end: date, group_by: str | None = None, **more) -> dict:
    query = f"from={start}&to={end}" + (f"&group_by={group_by}" if group_by else "")
    query += "".join(f"&{k}={v}" for k, v in more.items())
    reply = api.get(f"/admin/reports/{name}?{query}", token=token)
    assert reply.status == 200, reply.json
    return reply.json


def _halves(first: date, last: date) -> list[tuple[date, date]]:
    """Day-by-day reports span at most 366 days: the sample's 374 in two."""
    middle = first + (last - first) // 2
    return [(first, middle), (middle + timedelta(days=1), last)]


def _all_products(api, token, start: date, end: date) -> list[dict]:
    rows, token_query = [], ""
    while True:
        more = {"next_token": token_query} if token_query else {}
        page = _report(api, token, "products", start, end, limit=200, **more)
        rows += page["rows"]
        token_query = page.get("next_token")
        if not token_query:
            return rows


def test_reports_over_the_imported_uci_sample_equal_an_independent_computation(api, admin_token, imports, uci):
    data, oracle = uci
    expected = oracle.import_counts()
    # Given the sample's customers, known by their UCI CustomerID
    drop("uci-customers.csv", _customers_file(data))
    customers = _imported(api, admin_token, "uci-customers.csv")
    assert api.patch(f"/admin/imports/{customers['id']}", {"mapping": {"Email": "email", "Customer ID": "external_id"}},
                     token=admin_token).status == 200
    assert api.post(f"/admin/imports/{customers['id']}/start", token=admin_token).status == 200
    run_jobs()
    # When the order history is dropped under orders/ (the UCI layout is recognised) and imported
    drop("orders/online_retail.csv", data)
    run_jobs()
    imports.deliver()
    job = _imported(api, admin_token, "orders/online_retail.csv")
    # Then every line is accounted for: one order per invoice, the bad lines rejected
    assert (job["status"], job["preset"], job["rows_done"], job["rejected"]) == \
        ("succeeded", "uci_online_retail", expected["rows_total"], expected["rejected"])
    assert job["created"] == expected["orders"] + expected["cancelled_orders"]
    first, last = date.fromisoformat(expected["first_day"]), date.fromisoformat(expected["last_day"])

    # And the sales report, by day and by month, is the oracle's to the cent
    for start, end in _halves(first, last):
        assert _report(api, admin_token, "sales", start, end, "day")["rows"] == oracle.sales(start, end, "day")["rows"]
    by_month = _report(api, admin_token, "sales", first, last, "month")
    truth = oracle.sales(first, last, "month")
    assert (by_month["rows"], by_month["totals"]) == (truth["rows"], truth["totals"])

    # And the products report: units, gross sales and orders per sku
    for start, end in _halves(first, last):
        got = {r["sku"]: (r["units_sold"], r["gross_sales"], r["orders"]) for r in _all_products(api, admin_token, start, end)}
        want = {r["sku"]: (r["units_sold"], r["gross_sales"], r["orders"]) for r in oracle.products(start, end)["rows"]}
        assert got == want

    # And the customers report: new and returning per day and per month, top customers, by country
    external = {c["id"]: c["external_id"] for c in _all_customers(api, admin_token) if c["external_id"]}
    for group_by, ranges in (("day", _halves(first, last)), ("month", [(first, last)])):
        for start, end in ranges:
            got, want = _report(api, admin_token, "customers", start, end, group_by), oracle.customers(start, end, group_by)
            assert (got["rows"], got["totals"]) == (want["rows"], want["totals"])
            assert [(t["orders"], t["net_sales"]) for t in got["top_customers"]] == \
                [(t["orders"], t["net_sales"]) for t in want["top_customers"]]
            # each top customer is who the oracle says has those figures (ties in figures may come in any order)
            everyone = {t["customer_id"]: (t["orders"], t["net_sales"])
                        for t in oracle.customers(start, end, group_by, top=1_000_000)["top_customers"]}
            named = [(external[t["customer_id"]], (t["orders"], t["net_sales"])) for t in got["top_customers"]
                     if t["customer_id"] in external]
            assert named and all(everyone[key] == figures for key, figures in named)
            assert len({key for key, _ in named}) == len(named)
            assert _by_country(got["by_country"]) == _by_country([{**c, "country": COUNTRIES[c["country"]] or "none"}
                                                                  for c in want["by_country"]])


def _all_customers(api, token) -> list[dict]:
    found, next_token = [], None
    while True:
        page = api.get("/admin/customers?limit=200" + (f"&next_token={next_token}" if next_token else ""),
                       token=token).json
        found += page["items"]
        next_token = page["next_token"]
        if not next_token:
            return found


def _by_country(rows: list[dict]) -> dict:
    """Countries without a code (Channel Islands...) are one 'none' bucket in the app: add the oracle's up."""
    merged: dict = {}
    for row in rows:
        key = row["country"] or "none"
        customers, orders, net = merged.get(key, (0, 0, 0))
        merged[key] = (customers + row["customers"], orders + row["orders"], net + row["net_sales"])
    return merged
