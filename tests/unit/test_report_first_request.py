"""A report's first request is a cold start: it answers without loading pydantic (its query is a msgspec
Struct, docs/architecture.md "Cold start"), while saving a report (email recipients) does load it.

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
    print(json.dumps({"status": reply.status, "pydantic": "pydantic" in sys.modules}))
"""


def _first_request(method: str, path: str, body: dict | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, method, path, json.dumps(body)], cwd=ROOT,
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
    assert _first_request("GET", path) == {"status": 200, "pydantic": False}


def test_a_refused_report_query_is_a_422_without_pydantic():
    assert _first_request("GET", "/admin/reports/sales?from=2026-03-31&to=2026-03-01") == {"status": 422, "pydantic": False}


def test_saving_a_report_loads_pydantic_for_its_body():
    body = {"name": "Weekly sales", "report": "sales", "range": "last_7_days", "schedule": "weekly",
            "recipients": ["staff-1@shop.example"]}
    assert _first_request("POST", "/admin/reports/saved", body)["pydantic"] is True
