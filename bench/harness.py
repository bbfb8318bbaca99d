"""What both benches share: the environment the app reads when imported, and a throw-away DynamoDB Local.

Settings are read once, at import: `running_table()` must be entered before anything imports chalicelib.
"""
import contextlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import dynamodb_local  # noqa: E402  (starts and stops the Java process, as for the tests)

TABLE_NAME = "shop-bench"
# The Lambda function's own environment (.chalice/config.json), then the bench's table and secrets.
ENV = {
    **json.loads((ROOT / ".chalice" / "config.json").read_text())["environment_variables"],
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": TABLE_NAME,
    "STAFF_TOKEN_SECRET": "bench-staff-secret-0123456789abcdef",
    "CUSTOMER_TOKEN_SECRET": "bench-customer-secret-0123456789abcdef",
    "PAYMENT_WEBHOOK_SECRET": "bench-payment-secret-0123456789abcdef",
}


@contextlib.contextmanager
def running_table(**extra_env: str):
    """DynamoDB Local in memory on a free port with the shop table; the environment points at it.
    Yields the endpoint URL; the Java process is stopped on the way out, whatever happened."""
    os.environ.update(ENV, **extra_env)
    with dynamodb_local.running() as url:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = url
        import boto3

        from chalicelib.store.table import create_table

        create_table(boto3.client("dynamodb"), TABLE_NAME)
        yield url


@contextlib.contextmanager
def moto_s3(*buckets: str, queues: tuple[str, ...] = ()):
    """S3 and SQS from moto's server on a free port, with `buckets` and `queues`; the environment points
    S3 and SQS clients at it (built afterwards: the app builds its clients on first use)."""
    import logging
    import socket

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL_S3"] = os.environ["AWS_ENDPOINT_URL_SQS"] = endpoint
    try:
        import boto3

        session = boto3.Session()
        for bucket in buckets:
            session.client("s3").create_bucket(Bucket=bucket)
        for queue in queues:
            session.client("sqs").create_queue(QueueName=queue)
        yield endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL_S3", None)
        os.environ.pop("AWS_ENDPOINT_URL_SQS", None)
        server.stop()
