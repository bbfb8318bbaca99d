"""A report's first request is a cold start: it answers without loading pydantic (its query is a msgspec
Struct, docs/architecture.md "Cold start"), while saving a report (email recipients) does load it. Nor
does a cold start load the records no answer of it needs: `import app` registers every route and loads
no record's module (routes name their models as "module:Class"), and a sales or payments report reads
no customer, order or product.

Each case runs in a fresh Python process, as a new Lambda instance would, on moto."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST_REQUEST = """
import json, sys
import boto3
from moto import mock_aws

with mock_aws():
    from chalicelib.settings import get_settings
    from chalicelib.store.table import create_table

    create_table(boto3.client("dynamodb"), get_settings().table_name)
    from chalice.test import Client

    from app import app
    from tests.support.api import Api, staff_token

    method, path, body = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    with Client(app) as client:
        api = Api(client)
        reply = api.get(path, token=staff_token()) if method == "GET" else api.post(path, body, token=staff_token())
    records = sorted(set(sys.modules) & set(json.loads(sys.argv[4])))
    print(json.dumps({"status": reply.status, "pydantic": "pydantic" in sys.modules, "records": records}))
"""
# The modules of records a report does not show: the orders', customers', carts', jobs', products', and
# the store code that reads customers and products.
RECORDS = ["chalicelib.domain.orders", "chalicelib.domain.customers", "chalicelib.domain.carts", "chalicelib.domain.jobs",
           "chalicelib.domain.products", "chalicelib.domain.invoices", "chalicelib.domain.shopper_views",
           "chalicelib.store.customers", "chalicelib.store.products", "chalicelib.store.orders"]


def _first_request(method: str, path: str, body: dict | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, method, path, json.dumps(body), json.dumps(RECORDS)], cwd=ROOT,
                          capture_output=True, text=True, env=os.environ.copy(), timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path", [
    "/admin/reports/sales?from=2026-03-01&to=2026-03-31&payment_method=card",
    "/admin/reports/products?from=2026-03-01&to=2026-03-31&sort=units_sold",
    "/admin/reports/customers?from=2026-01-01&to=2026-03-31&group_by=month",
    "/admin/reports/payments?from=2026-03-01&to=2026-03-31",
])
def test_a_reports_first_request_answers_without_pydantic(path):
    answer = _first_request("GET", path)
    assert (answer["status"], answer["pydantic"]) == (200, False)


@pytest.mark.parametrize("path", [
    "/admin/reports/sales?from=2026-03-01&to=2026-03-31&group_by=week&country=FR",
    "/admin/reports/payments?from=2026-03-01&to=2026-03-31",
])
def test_a_sales_or_payments_reports_first_request_loads_no_customer_order_or_product(path):
    assert _first_request("GET", path) == {"status": 200, "pydantic": False, "records": []}


def test_the_products_report_reads_the_catalogue_and_the_customers_report_the_customers():
    # the control of the test above: these reports do load what they show
    answer = _first_request("GET", "/admin/reports/products?from=2026-03-01&to=2026-03-31")
    assert "chalicelib.store.products" in answer["records"]
    answer = _first_request("GET", "/admin/reports/customers?from=2026-03-01&to=2026-03-31")
    assert "chalicelib.store.customers" in answer["records"]


def test_importing_the_app_registers_every_route_and_loads_no_records_module():
    script = ("import json, sys; import app; from chalicelib.api.routing import ROUTES; "
              "print(json.dumps([len(ROUTES), sorted(set(sys.modules) & set(json.loads(sys.argv[1])))]))")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(RECORDS)], cwd=ROOT, capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120, check=True)
    routes, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert routes > 100 and loaded == []


def test_a_refused_report_query_is_a_422_without_pydantic():
    answer = _first_request("GET", "/admin/reports/sales?from=2026-03-31&to=2026-03-01")
    assert (answer["status"], answer["pydantic"]) == (422, False)


def test_saving_a_report_loads_pydantic_for_its_body():
    body = {"name": "Weekly sales", "report": "sales", "range": "last_7_days", "schedule": "weekly",
            "recipients": ["staff-1@shop.example"]}
    assert _first_request("POST", "/admin/reports/saved", body)["pydantic"] is True
