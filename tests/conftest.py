"""Test set-up shared by both layers.

Fast layer (default): moto in-process for every AWS service.
`--dynamodb=local`: the same tests with DynamoDB served by DynamoDB Local (AWS's own engine, Java),
S3/SQS/SES still from moto. Each test starts from an empty table.
"""
import os

from devstack.config import chalice_config

# Configuration must be in place before chalicelib is imported (settings are read once). Chalice's test
# client puts the dev stage's variables (table and bucket names) into the environment during every request
# and invocation: the tests take the same ones, so settings first read inside a request name the table and
# buckets the tests created, not others.
os.environ.update(chalice_config().environment_variables)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "STAFF_TOKEN_SECRET": "test-staff-secret-0123456789abcdef",
    "CUSTOMER_TOKEN_SECRET": "test-customer-secret-0123456789abcdef",
    "PAYMENT_WEBHOOK_SECRET": "test-payment-webhook-secret-0123456789",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "BULK_WRITE_THREADS": "1",  # moto's transactions are not thread-safe; DynamoDB Local runs 4 (below)
})
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)

from datetime import UTC

import boto3
import pytest
from moto import mock_aws

from tests.support import dynamodb_local, moto_patches

moto_patches.apply()


def pytest_addoption(parser):
    parser.addoption("--dynamodb", choices=("moto", "local"), default="moto",
                     help="which DynamoDB the tests use: moto in-process, or DynamoDB Local (Java)")


def pytest_configure(config):
    config.addinivalue_line("markers", "api: HTTP API and event handler tests, run in both layers (moto and DynamoDB Local)")


_BOTH_LAYERS = ("/tests/api/", "/tests/events/")
_ENGINE_ONLY = "/tests/engine/"  # concurrency: atomicity that moto does not emulate


def pytest_ignore_collect(collection_path, config):
    """tests/engine/ is collected only when the tests run on DynamoDB Local (make test does both)."""
    if _ENGINE_ONLY in str(collection_path).replace(os.sep, "/") + "/" and config.getoption("--dynamodb") != "local":
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """API, event-handler and engine tests run on DynamoDB Local too: they are marked `api`."""
    for item in items:
        path = str(item.path).replace(os.sep, "/")
        if any(folder in path for folder in (*_BOTH_LAYERS, _ENGINE_ONLY)):
            item.add_marker(pytest.mark.api)


@pytest.fixture(scope="session")
def dynamodb_endpoint(request):
    """None for moto; the URL of a DynamoDB Local started for this test process otherwise."""
    if request.config.getoption("--dynamodb") != "local":
        yield None
        return
    from chalicelib.settings import get_settings

    os.environ["BULK_WRITE_THREADS"] = "4"
    get_settings.cache_clear()  # read again: the app may have read the environment at collection
    with dynamodb_local.running() as url:
        # DynamoDB Local serves the table's stream on the same endpoint (tests read it: TableStream).
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = os.environ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = url
        yield url
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", None)


@pytest.fixture
def aws(dynamodb_endpoint):
    """Mocked AWS with an empty shop table."""
    from chalicelib.settings import get_settings
    from chalicelib.store.table import create_table

    with mock_aws():
        client = boto3.client("dynamodb")
        table = get_settings().table_name
        if dynamodb_endpoint is None:
            create_table(client, table)
        else:
            dynamodb_local.empty_table(client, table)
        boto3.client("s3").create_bucket(Bucket=get_settings().documents_bucket)
        boto3.client("s3").create_bucket(Bucket=get_settings().reports_bucket)
        yield client


@pytest.fixture
def api(aws):
    from chalice.test import Client

    from app import app
    from tests.support.api import Api

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def admin_token():
    from tests.support.api import staff_token

    return staff_token("admin")


@pytest.fixture
def new_customer(api, admin_token):
    """Factory: a customer created by staff through the API; returns its JSON."""
    counter = iter(range(1, 10_000))

    def make(**fields):
        n = next(counter)
        body = {"email": f"customer{n}@example.com", "first_name": "Ann", "last_name": f"Smith{n}", **fields}
        reply = api.post("/admin/customers", body, token=admin_token)
        assert reply.status == 201, reply.json
        return reply.json

    return make


class FakeClock:
    """Time that tests move by hand (`clock.advance(minutes=6)`) instead of sleeping."""

    def __init__(self):
        from datetime import datetime

        self.current = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self):
        return self.current

    def advance(self, **delta):
        from datetime import timedelta

        self.current += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.domain import clock as clock_module

    fake = FakeClock()
    monkeypatch.setattr(clock_module, "now", fake)
    return fake


@pytest.fixture
def store_settings(api, admin_token):
    """Change store settings through the admin API: store_settings(auto_validate_accounts=False)."""

    def change(**values):
        reply = api.patch("/admin/settings", values, token=admin_token)
        assert reply.status == 200, reply.json
        return reply.json

    return change


@pytest.fixture
def stream(api, clock):
    """The table's real stream from now on, delivered to `table_changed` on demand (`stream.deliver()`);
    SES accepts the shop's sender, so the emails that orders queue are sent."""
    from chalicelib.settings import get_settings
    from tests.support.streams import TableStream

    boto3.client("ses").verify_email_identity(EmailAddress=get_settings().mail_sender)
    return TableStream()


@pytest.fixture
def catalogue(api, admin_token):
    from tests.support.orders import add_catalogue

    add_catalogue(api, admin_token)


@pytest.fixture
def place(api, admin_token, catalogue):
    """Factory: an order placed by staff through the API; returns its JSON."""
    from tests.support.orders import order_body

    def make(**fields):
        reply = api.post("/admin/orders", order_body(**fields), token=admin_token)
        assert reply.status == 201, reply.json
        return reply.json

    return make


@pytest.fixture
def imports(aws):
    """The imports bucket and the jobs queue; returns the table's stream, read from now on."""
    from tests.support.imports import create_resources
    from tests.support.streams import TableStream

    create_resources()
    return TableStream()
