"""A merchant's files as S3 and SQS would bring them to the app, and the job queue run as Lambda would."""
import json
from urllib.parse import quote_plus

import boto3
from chalice.test import Client

from chalicelib.events.handlers import IMPORTS_QUEUE, JOBS_QUEUE
from chalicelib.settings import get_settings


def create_resources() -> None:
    """The imports bucket and the jobs queue (moto)."""
    boto3.client("s3").create_bucket(Bucket=get_settings().imports_bucket)
    boto3.client("sqs").create_queue(QueueName=JOBS_QUEUE)


def notification(key: str, etag: str, bucket: str | None = None) -> str:
    """The body S3 puts on the imports queue (keys URL-encoded, as S3 sends them)."""
    return json.dumps({"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                    "s3": {"bucket": {"name": bucket or get_settings().imports_bucket},
                                           "object": {"key": quote_plus(key), "eTag": etag, "size": 1}}}]})


def announce(*bodies: str) -> dict:
    """S3 notifications delivered to the import handler, as SQS would."""
    from app import app

    with Client(app) as client:
        event = client.events.generate_sqs_event(message_bodies=list(bodies), queue_name=IMPORTS_QUEUE)
        return client.lambda_.invoke("import_files_arrived", event).payload


def drop(key: str, body: bytes, metadata: dict | None = None) -> str:
    """A merchant puts a file into the imports bucket; S3 announces it. Returns the ETag."""
    s3 = boto3.client("s3")
    etag = s3.put_object(Bucket=get_settings().imports_bucket, Key=key, Body=body, Metadata=metadata or {})["ETag"]
    reply = announce(notification(key, etag))
    assert reply == {"batchItemFailures": []}, reply
    return etag


def pending_messages() -> list[dict]:
    """Take every message waiting on the jobs queue."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=JOBS_QUEUE)["QueueUrl"]
    taken = []
    while True:
        reply = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        messages = reply.get("Messages", [])
        if not messages:
            return taken
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        taken += messages


def run_job_message(body: str) -> dict:
    from app import app

    with Client(app) as client:
        event = client.events.generate_sqs_event(message_bodies=[body], queue_name=JOBS_QUEUE)
        return client.lambda_.invoke("run_jobs", event).payload


def run_jobs(limit: int = 1000) -> int:
    """Run the job messages until the queue is empty (hand-overs included); returns how many ran."""
    ran = 0
    while ran < limit:
        messages = pending_messages()
        if not messages:
            return ran
        for message in messages:
            reply = run_job_message(message["Body"])
            assert reply == {"batchItemFailures": []}, reply
            ran += 1
    raise AssertionError("the jobs never finished")
