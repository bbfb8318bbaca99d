"""A merchant drops a CSV file into the imports bucket: it becomes one import job, however often
S3 tells us about it."""
import json
from pathlib import Path
from urllib.parse import quote_plus

import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.events.handlers import IMPORTS_QUEUE
from chalicelib.settings import get_settings
from chalicelib.store.models import ImportJobItem

SHOPIFY = Path(__file__).parents[1] / "data" / "shopify_customers_export.csv"


@pytest.fixture
def bucket(aws):
    name = get_settings().imports_bucket
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=name)
    return s3, name


def _notification(bucket_name: str, key: str, etag: str) -> str:
    """The body S3 puts on the queue (keys URL-encoded, as S3 sends them)."""
    return json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                    "s3": {"bucket": {"name": bucket_name},
                                           "object": {"key": quote_plus(key), "eTag": etag, "size": 1}}}]})


def _deliver(*bodies: str) -> dict:
    with Client(app) as client:
        event = client.events.generate_sqs_event(message_bodies=list(bodies), queue_name=IMPORTS_QUEUE)
        return client.lambda_.invoke("import_files_arrived", event).payload


def _jobs() -> list:
    return list(ImportJobItem.gsi1.query("JOBS"))


def test_uploaded_file_becomes_a_job_with_its_columns(bucket):
    s3, name = bucket
    key = "uploads/Spring customers 2026.csv"
    etag = s3.put_object(Bucket=name, Key=key, Body=SHOPIFY.read_bytes())["ETag"]
    result = _deliver(_notification(name, key, etag))
    assert result == {"batchItemFailures": []}
    [job] = _jobs()
    assert job.status == "needs_mapping" and job.source == key
    assert job.columns[:4] == ["Customer ID", "First Name", "Last Name", "Email"] and len(job.columns) == 20


def test_the_same_notification_twice_makes_one_job_and_a_new_version_another(bucket):
    s3, name = bucket
    etag = s3.put_object(Bucket=name, Key="a.csv", Body=b"email,first_name\n")["ETag"]
    _deliver(_notification(name, "a.csv", etag))
    _deliver(_notification(name, "a.csv", etag), _notification(name, "a.csv", etag))
    assert len(_jobs()) == 1
    new_etag = s3.put_object(Bucket=name, Key="a.csv", Body=b"email,last_name\n")["ETag"]
    _deliver(_notification(name, "a.csv", new_etag))
    assert sorted(tuple(j.columns) for j in _jobs()) == [("email", "first_name"), ("email", "last_name")]


def test_s3_test_event_is_ignored(bucket):
    assert _deliver(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})) == {"batchItemFailures": []}
    assert _jobs() == []


def test_a_failing_record_is_reported_for_retry_and_the_others_are_done(bucket):
    s3, name = bucket
    etag = s3.put_object(Bucket=name, Key="good.csv", Body=b"email\n")["ETag"]
    result = _deliver(_notification(name, "missing.csv", '"x"'), _notification(name, "good.csv", etag))
    assert len(result["batchItemFailures"]) == 1
    assert [j.source for j in _jobs()] == ["good.csv"]
