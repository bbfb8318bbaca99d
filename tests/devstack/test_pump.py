"""The event pump against in-process moto, with tiny Chalice apps: what is deleted, retried, dead-lettered."""
import json
import threading

import boto3
import pytest
from chalice import Chalice
from moto import mock_aws

from devstack.aws import MAX_RECEIVES, ensure_queue
from devstack.pump import Checkpoints, SqsPoller, StreamPoller


@pytest.fixture
def mocked():
    with mock_aws():
        yield


def test_sqs_messages_reported_failed_are_redelivered_then_dead_lettered(mocked):
    sqs = boto3.client("sqs")
    ensure_queue(sqs, "jobs", visibility_timeout=0)  # a failed message is visible again at once
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    for body in ("good-1", "bad", "good-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)

    app = Chalice(app_name="tiny")
    deliveries = []

    @app.on_sqs_message(queue="jobs", batch_size=10)
    def handle(event):
        records = event.to_dict()["Records"]
        deliveries.append([r["body"] for r in records])
        assert all(r["eventSource"] == "aws:sqs" and r["eventSourceARN"].endswith(":jobs") for r in records)
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records if r["body"] == "bad"]}

    poller = SqsPoller(app, app.event_sources[0], sqs, threading.Event(), wait_seconds=0)
    for _ in range(MAX_RECEIVES + 2):
        poller.step()

    assert sorted(deliveries[0]) == ["bad", "good-1", "good-2"]
    assert deliveries[1:] == [["bad"]] * (MAX_RECEIVES - 1)
    dead_letters = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName="jobs-dlq")["QueueUrl"])["Messages"]
    assert [m["Body"] for m in dead_letters] == ["bad"]


def test_stream_records_are_retried_from_the_first_failure_and_resumed_after_a_restart(mocked, tmp_path):
    from chalicelib.store.table import create_table

    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    create_table(dynamodb, "tiny-table")
    stream_arn = dynamodb.describe_table(TableName="tiny-table")["Table"]["LatestStreamArn"]
    for key in ("a", "b", "c"):
        dynamodb.put_item(TableName="tiny-table", Item={"PK": {"S": key}, "SK": {"S": "x"}, "type": {"S": "note"}})

    app = Chalice(app_name="tiny")
    deliveries, failed_once = [], set()

    @app.on_dynamodb_record(stream_arn=stream_arn, batch_size=10, starting_position="TRIM_HORIZON")
    def changed(event):
        records = event.to_dict()["Records"]
        deliveries.append([r["dynamodb"]["Keys"]["PK"]["S"] for r in records])
        assert all(r["eventSourceARN"] == stream_arn for r in records)
        failures = [r["dynamodb"]["SequenceNumber"] for r in records
                    if r["dynamodb"]["Keys"]["PK"]["S"] == "b" and not failed_once]
        failed_once.update(failures)
        return {"batchItemFailures": [{"itemIdentifier": number} for number in failures]}

    checkpoints = tmp_path / "checkpoints.json"
    StreamPoller(app, app.event_sources[0], streams, Checkpoints(checkpoints), threading.Event(), interval=0).step()
    assert deliveries == [["a", "b", "c"], ["b", "c"]]

    dynamodb.put_item(TableName="tiny-table", Item={"PK": {"S": "d"}, "SK": {"S": "x"}, "type": {"S": "note"}})
    restarted = StreamPoller(app, app.event_sources[0], streams, Checkpoints(checkpoints), threading.Event(),
                             interval=0)
    restarted.step()
    restarted.step()
    assert deliveries[2:] == [["d"]]
    assert json.loads(checkpoints.read_text())[stream_arn]


def test_derived_items_records_are_passed_over_as_the_event_source_filter_does(mocked, tmp_path):
    from chalicelib.store.table import create_table

    # Given a note, a search entry and a report item written, then the note removed
    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    create_table(dynamodb, "tiny-table")
    stream_arn = dynamodb.describe_table(TableName="tiny-table")["Table"]["LatestStreamArn"]
    for key, kind in (("note", "note"), ("search", "search_entry"), ("sales", "report_sales")):
        dynamodb.put_item(TableName="tiny-table", Item={"PK": {"S": key}, "SK": {"S": "x"}, "type": {"S": kind}})
    dynamodb.delete_item(TableName="tiny-table", Key={"PK": {"S": "note"}, "SK": {"S": "x"}})
    dynamodb.delete_item(TableName="tiny-table", Key={"PK": {"S": "search"}, "SK": {"S": "x"}})
    app = Chalice(app_name="tiny")
    deliveries = []

    @app.on_dynamodb_record(stream_arn=stream_arn, batch_size=10, starting_position="TRIM_HORIZON")
    def changed(event):
        deliveries.append([(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"]) for r in event.to_dict()["Records"]])

    # When the pump reads the stream, and again after a restart
    checkpoints = tmp_path / "checkpoints.json"
    StreamPoller(app, app.event_sources[0], streams, Checkpoints(checkpoints), threading.Event(), interval=0).step()
    StreamPoller(app, app.event_sources[0], streams, Checkpoints(checkpoints), threading.Event(), interval=0).step()
    # Then the handler saw the note's records only, once: the derived items' were passed over
    assert deliveries == [[("INSERT", "note"), ("REMOVE", "note")]]

def test_a_handler_that_raises_fails_the_whole_batch(mocked):
    sqs = boto3.client("sqs")
    ensure_queue(sqs, "jobs")
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="anything")
    app = Chalice(app_name="tiny")

    @app.on_sqs_message(queue="jobs")
    def handle(event):
        raise RuntimeError("every record failed")

    SqsPoller(app, app.event_sources[0], sqs, threading.Event(), wait_seconds=0).step()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"  # not deleted: comes back


def test_a_stream_record_that_keeps_failing_is_skipped_after_the_last_attempt(mocked, tmp_path):
    from chalicelib.store.table import create_table

    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    create_table(dynamodb, "tiny-table")
    stream_arn = dynamodb.describe_table(TableName="tiny-table")["Table"]["LatestStreamArn"]
    for key in ("a", "b"):
        dynamodb.put_item(TableName="tiny-table", Item={"PK": {"S": key}, "SK": {"S": "x"}, "type": {"S": "note"}})
    app = Chalice(app_name="tiny")
    deliveries = []

    @app.on_dynamodb_record(stream_arn=stream_arn, starting_position="TRIM_HORIZON")
    def changed(event):
        deliveries.append([r["dynamodb"]["Keys"]["PK"]["S"] for r in event.to_dict()["Records"]])
        raise RuntimeError("always failing")

    poller = StreamPoller(app, app.event_sources[0], streams, Checkpoints(tmp_path / "c.json"), threading.Event(),
                          interval=0, max_attempts=2)
    poller.step()
    dynamodb.put_item(TableName="tiny-table", Item={"PK": {"S": "c"}, "SK": {"S": "x"}, "type": {"S": "note"}})
    poller.step()
    assert deliveries[:2] == [["a", "b"], ["a", "b"]]  # a raising handler fails the whole batch
    assert deliveries[2] == ["c"]  # the shard goes on
