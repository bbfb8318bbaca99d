"""A merchant brings their customers: a CSV dropped into the imports bucket (or uploaded through a
link) becomes customers, each row once, whatever happens to the invocations on the way."""
import csv
import io
from pathlib import Path

import boto3
import pytest

from chalicelib.settings import get_settings
from tests.support.imports import create_resources, drop, run_jobs
from tests.support.streams import TableStream

DATA = Path(__file__).parents[1] / "data"
SHOPIFY = DATA / "shopify_customers_export.csv"


@pytest.fixture
def imports(aws):
    create_resources()
    return TableStream()


def _jobs(api, token):
    return api.get("/admin/imports", token=token).json["items"]


def _download(url: str) -> bytes:
    """The object behind a presigned link (moto serves it to boto3, not over the network)."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    bucket, _, key = parsed.path.lstrip("/").partition("/")
    if parsed.netloc.startswith(get_settings().documents_bucket):
        bucket, key = get_settings().documents_bucket, parsed.path.lstrip("/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=unquote(key))["Body"].read()


def test_the_shopify_export_becomes_1957_customers_once(api, admin_token, imports):
    # Given the merchant's 2,000-row Shopify export (22 rows without email, 21 repeating an earlier
    # email in another case)
    drop("Shopify customers.csv", SHOPIFY.read_bytes())
    # When the import runs (the layout is recognised: it starts without a mapping)
    run_jobs()
    imports.deliver()
    # Then every row is accounted for
    [job] = _jobs(api, admin_token)
    assert job["status"] == "succeeded" and job["preset"] == "shopify_customers"
    assert (job["rows_done"], job["created"], job["updated"], job["rejected"]) == (2000, 1957, 21, 22)
    assert job["rows_total"] == 2000 and len(job["errors"]) == 20
    # And the customers are there, searchable by name with their addresses and tags
    found = api.get("/admin/customers?q=Müller&limit=200", token=admin_token).json["items"]
    assert any(c["first_name"] == "Søren" for c in found)
    # And the rejected rows come back as the merchant's own rows, with the row number and the reason
    link = api.get(f"/admin/imports/{job['id']}/errors", token=admin_token).json
    rows = list(csv.reader(io.StringIO(_download(link["download_url"]).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["row", "error"] and len(rows) == 23
