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
