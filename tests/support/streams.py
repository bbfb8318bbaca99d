"""Stream records as the DynamoDB stream would deliver them, built from the table's real items."""
import itertools

import boto3
from chalice.test import Client

from chalicelib.settings import get_settings

_sequence = itertools.count(100)


def record(event_name: str, pk: str, sk: str, old_image: dict | None = None) -> dict:
    """INSERT/MODIFY carry the item as stored now; REMOVE and MODIFY carry the `old_image` given."""
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    body = {"Keys": key, "SequenceNumber": str(next(_sequence)), "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old_image is not None or event_name == "REMOVE":
        body["OldImage"] = old_image
    if event_name != "REMOVE":
        body["NewImage"] = raw_item(pk, sk)
    return {"eventID": body["SequenceNumber"], "eventName": event_name, "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1", "eventSourceARN": get_settings().table_stream_arn, "dynamodb": body}


def raw_item(pk: str, sk: str) -> dict | None:
    """The item in DynamoDB JSON, as a stream image holds it."""
    reply = boto3.client("dynamodb").get_item(TableName=get_settings().table_name, Key={"PK": {"S": pk}, "SK": {"S": sk}})
    return reply.get("Item")


def deliver(*records: dict) -> dict:
    from app import app

    with Client(app) as client:
        return client.lambda_.invoke("table_changed", {"Records": list(records)}).payload


def queued_mail_records(customer_id: str) -> list[dict]:
    """INSERT records of the customer's emails (the outbox items)."""
    items = boto3.client("dynamodb").query(
        TableName=get_settings().table_name, KeyConditionExpression="PK = :pk AND begins_with(SK, :mail)",
        ExpressionAttributeValues={":pk": {"S": f"CUST#{customer_id}"}, ":mail": {"S": "MAIL#"}})["Items"]
    return [record("INSERT", i["PK"]["S"], i["SK"]["S"]) for i in items]


class TableStream:
    """The table's real stream (moto or DynamoDB Local), read from where it stood when made: what
    the app wrote since is delivered to `table_changed` as Lambda would, batch by batch."""

    def __init__(self):
        self.client = boto3.client("dynamodbstreams")
        self.arn = boto3.client("dynamodb").describe_table(TableName=get_settings().table_name)["Table"]["LatestStreamArn"]
        self.positions: dict[str, str] = {}
        self.read()  # what is there already (earlier tests on DynamoDB Local) is not ours

    def read(self) -> list[dict]:
        """Every record written since the last read, oldest first (shards in creation order)."""
        records = []
        for shard in self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            after = self.positions.get(shard_id)
            kind = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after} if after else \
                {"ShardIteratorType": "TRIM_HORIZON"}
            iterator = self.client.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **kind)["ShardIterator"]
            while iterator:
                reply = self.client.get_records(ShardIterator=iterator, Limit=1000)
                for item in reply["Records"]:
                    item["eventSourceARN"] = get_settings().table_stream_arn
                    records.append(item)
                    self.positions[shard_id] = item["dynamodb"]["SequenceNumber"]
                if not reply["Records"]:
                    break
                iterator = reply.get("NextShardIterator")
        return records

    def deliver(self, batch_size: int = 100, rounds: int = 10) -> list[dict]:
        """Deliver what was written, and what that causes in turn, until nothing new comes (at most
        `rounds` times). Returns every record delivered; a batch the handler fails raises."""
        from chalicelib.store.changes import watched

        delivered = []
        for _ in range(rounds):
            records = [r for r in self.read() if watched(r)]  # as infra's event-source filter passes them
            if not records:
                return delivered
            for start in range(0, len(records), batch_size):
                reply = deliver(*records[start:start + batch_size])
                assert not (reply or {}).get("batchItemFailures"), reply
            delivered += records
        return delivered
