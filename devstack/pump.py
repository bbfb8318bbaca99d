"""The event pump: what Lambda's event source mappings do in AWS, done by threads.

moto and DynamoDB Local deliver nothing by themselves. These threads read the SQS queues and the
table's stream and call the app's REAL handlers with Lambda-shaped events, honouring the partial
batch responses (`batchItemFailures`) the handlers return."""
import base64
import json
import os
import threading
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

from devstack import log
from devstack.config import REGION, STAGE


def call(app, name: str, event: dict) -> tuple[bool, Any]:
    """Call a handler as Lambda would: (True, what it returned), or (False, None) if it raised (logged)."""
    from chalice.local import LambdaContext

    context = LambdaContext(function_name=f"{app.app_name}-{STAGE}-{name}", memory_size=128, max_runtime_ms=60_000)
    try:
        return True, app.handler_map[name](event, context)
    except Exception:
        log(f"{name} raised:\n{traceback.format_exc().rstrip()}")
        return False, None


def invoke(app, name: str, event: dict) -> set[str] | None:
    """Call a batch handler. Returns the item ids it reported failed, or None if it raised (then the
    whole batch failed, as powertools does when every record failed)."""
    ok, result = call(app, name, event)
    if not ok:
        return None
    failures = result.get("batchItemFailures", []) if isinstance(result, dict) else []
    return {failure["itemIdentifier"] for failure in failures}


class Worker(threading.Thread):
    """A polling loop that outlives a failing step (logged, retried after a pause) until the stack stops."""

    def __init__(self, name: str, stopping: threading.Event):
        super().__init__(name=name, daemon=True)
        self.stopping = stopping

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.step()
            except Exception as error:
                log(f"{self.name}: {type(error).__name__}: {error}")
                self.stopping.wait(2)

    def step(self) -> None:
        raise NotImplementedError


def _lambda_shape(value):
    """Service API values as Lambda passes them in JSON: binary as base64, dates as epoch seconds."""
    if isinstance(value, dict):
        return {key: _lambda_shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_lambda_shape(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def sqs_record(message: dict, queue_arn: str) -> dict:
    attributes = {name: {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
                         "stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
                  for name, value in message.get("MessageAttributes", {}).items()}
    return _lambda_shape({
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"], "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": REGION,
    })


def queue_name(config) -> str:
    """An `@app.on_sqs_message` names its queue, or gives its ARN."""
    return config.queue or config.queue_arn.rsplit(":", 1)[1]


class SqsPoller(Worker):
    """One `@app.on_sqs_message` handler: long-polls its queue; deletes the messages the handler did
    not report failed. Failed ones come back after the visibility timeout, then go to the dead-letter queue."""

    def __init__(self, app, config, sqs, stopping: threading.Event, wait_seconds: int = 2):
        self.queue = queue_name(config)
        super().__init__(f"sqs:{self.queue}", stopping)
        self.app, self.config, self.sqs, self.wait_seconds = app, config, sqs, wait_seconds
        self.url = sqs.get_queue_url(QueueName=self.queue)["QueueUrl"]
        self.arn = sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def step(self) -> None:
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=min(self.config.batch_size, 10), WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return
        failed = invoke(self.app, self.config.name, {"Records": [sqs_record(m, self.arn) for m in messages]})
        done = [] if failed is None else [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        log(f"sqs {self.queue} -> {self.config.name}: {len(messages)} message(s), {len(messages) - len(done)} failed")


class Checkpoints:
    """The last stream record delivered, per shard, in a JSON file: a restart resumes instead of replaying."""

    def __init__(self, path: Path):
        self.path = path
        self.positions = json.loads(path.read_text()) if path.exists() else {}
        self.lock = threading.Lock()

    def get(self, stream_arn: str, shard_id: str) -> str | None:
        return self.positions.get(stream_arn, {}).get(shard_id)

    def save(self, stream_arn: str, shard_id: str, sequence_number: str) -> None:
        with self.lock:
            self.positions.setdefault(stream_arn, {})[shard_id] = sequence_number
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.positions, indent=1))
            os.replace(temporary, self.path)


class StreamPoller(Worker):
    """One `@app.on_dynamodb_record` handler, read like Lambda's event source mapping: shards in lineage
    order (parents first), records in order; a failed record is retried with all that follow it in its
    shard, up to max_attempts (1 + infra's 5 retries), then skipped with a message where Lambda would send
    the batch's position to the on-failure dead-letter queue."""

    def __init__(self, app, config, streams, checkpoints: Checkpoints, stopping: threading.Event,
                 interval: float = 0.5, max_attempts: int = 6):
        super().__init__(f"stream:{config.name}", stopping)
        self.app, self.config, self.streams, self.checkpoints = app, config, streams, checkpoints
        self.interval, self.max_attempts = interval, max_attempts
        self.arn = config.stream_arn
        self.iterators: dict[str, str] = {}
        self.finished: set[str] = set()
        self.started = False

    def step(self) -> None:
        """One read of every open shard; a pause only when there was nothing to deliver."""
        from chalicelib.store import changes  # the app's settings are in place by now

        self._discover_shards()
        delivered = False
        for shard_id, iterator in list(self.iterators.items()):
            reply = self.streams.get_records(ShardIterator=iterator, Limit=self.config.batch_size)
            records = reply["Records"]
            kept = [record for record in records if changes.watched(record)]  # infra's event-source filter
            if kept and not self._deliver(shard_id, kept):
                return  # stopping: the undelivered records stay after the checkpoint for the next run
            if records and (not kept or kept[-1] is not records[-1]):  # filtered out: passed, as Lambda passes them
                self.checkpoints.save(self.arn, shard_id, records[-1]["dynamodb"]["SequenceNumber"])
            delivered = delivered or bool(records)
            if reply.get("NextShardIterator"):
                self.iterators[shard_id] = reply["NextShardIterator"]
            else:  # a closed shard, read to its end: its children may start
                del self.iterators[shard_id]
                self.finished.add(shard_id)
        if not delivered:
            self.stopping.wait(self.interval)

    def _discover_shards(self) -> None:
        shards, page = [], {}
        while True:
            description = self.streams.describe_stream(StreamArn=self.arn, **page)["StreamDescription"]
            shards += description["Shards"]
            if not description.get("LastEvaluatedShardId"):
                break
            page = {"ExclusiveStartShardId": description["LastEvaluatedShardId"]}
        known = {shard["ShardId"] for shard in shards}
        # The mapping's starting position applies to the shards found at start; later ones are new: all of them.
        position = self.config.starting_position if not self.started else "TRIM_HORIZON"
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            waiting_for_parent = parent in known and parent not in self.finished
            if shard_id in self.iterators or shard_id in self.finished or waiting_for_parent:
                continue
            self.iterators[shard_id] = self._iterator(shard_id, position)
        self.started = True

    def _iterator(self, shard_id: str, position: str) -> str:
        after = self.checkpoints.get(self.arn, shard_id)
        where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after
                 else {"ShardIteratorType": position})
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **where)["ShardIterator"]

    def _deliver(self, shard_id: str, records: list[dict]) -> bool:
        """Deliver in order, retrying from the first failed record. False if the stack stopped meanwhile."""
        batch = [{**_lambda_shape(record), "eventSourceARN": self.arn} for record in records]
        for attempt in range(1, self.max_attempts + 1):
            failed = invoke(self.app, self.config.name, {"Records": batch})
            positions = [i for i, r in enumerate(batch) if failed is None or r["dynamodb"]["SequenceNumber"] in failed]
            first_failed = min(positions, default=len(batch))
            done, batch = batch[:first_failed], batch[first_failed:]
            if done:
                self.checkpoints.save(self.arn, shard_id, done[-1]["dynamodb"]["SequenceNumber"])
            log(f"stream -> {self.config.name}: {len(done) + len(batch)} record(s), {len(batch)} failed")
            if not batch:
                return True
            if attempt < self.max_attempts and self.stopping.wait(attempt):
                return False
        log(f"stream -> {self.config.name}: skipped {len(batch)} record(s) after {self.max_attempts} attempts")
        self.checkpoints.save(self.arn, shard_id, batch[-1]["dynamodb"]["SequenceNumber"])
        return True
