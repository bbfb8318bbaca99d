"""A shopper registers: the table's stream brings the new account to the welcome email, sent once,
logged on the customer's Emails tab, and retried when SES fails."""
import boto3
import pytest
from chalice.test import Client

from app import app
from chalicelib.settings import get_settings
from chalicelib.store import mail_log

SHOPPER = {"email": "lea@example.com", "password": "a long enough password", "first_name": "Léa", "last_name": "Roy"}


@pytest.fixture
def ses(aws):
    return boto3.client("ses")


def _stream_event(customer_id: str, sequence: int = 100) -> dict:
    """What the DynamoDB stream delivers for the new profile item (read back in DynamoDB JSON)."""
    key = {"PK": {"S": f"CUST#{customer_id}"}, "SK": {"S": "PROFILE"}}
    image = boto3.client("dynamodb").get_item(TableName=get_settings().table_name, Key=key)["Item"]
    return {"Records": [{
        "eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "eventSourceARN": get_settings().table_stream_arn,
        "dynamodb": {"Keys": key, "NewImage": image, "SequenceNumber": str(sequence), "SizeBytes": 1,
                     "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }]}


def _deliver(event: dict) -> dict:
    with Client(app) as client:
        return client.lambda_.invoke("table_changed", event).payload


def _sent(ses) -> int:
    """Messages moto's SES accepted (its send quota counts each one twice)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return len(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def test_registration_sends_one_welcome_email_however_often_delivered(api, ses):
    ses.verify_email_identity(EmailAddress=get_settings().mail_sender)
    customer = api.post("/store/customers", SHOPPER).json
    event = _stream_event(customer["id"])
    assert _deliver(event) == {"batchItemFailures": []}
    assert _deliver(event) == {"batchItemFailures": []}
    assert _sent(ses) == 1
    [entry] = mail_log.entries(customer["id"])
    assert entry["template"] == "welcome" and entry["status"] == "sent" and entry["subject"] == "Welcome to our shop, Léa"


def test_a_failed_send_is_logged_and_retried_and_the_account_stays(api, admin_token, ses):
    # Given SES refuses the sender (not verified yet)
    customer = api.post("/store/customers", SHOPPER).json
    staff_made = api.post("/admin/customers", {"email": "x@example.com", "first_name": "X", "last_name": "Y"},
                          token=admin_token).json
    event = {"Records": _stream_event(customer["id"])["Records"] + _stream_event(staff_made["id"], 101)["Records"]}
    # When the stream delivers both new customers, the welcome's record alone is reported for retry
    assert _deliver(event)["batchItemFailures"] == [{"itemIdentifier": "100"}]
    assert mail_log.entries(customer["id"])[0]["status"] == "failed"
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).status == 200
    # And once SES accepts it, the retry sends the email
    ses.verify_email_identity(EmailAddress=get_settings().mail_sender)
    assert _deliver(event) == {"batchItemFailures": []}
    assert mail_log.entries(customer["id"])[0]["status"] == "sent" and _sent(ses) == 1


def test_customers_created_by_staff_get_no_welcome(api, new_customer, ses):
    ses.verify_email_identity(EmailAddress=get_settings().mail_sender)
    created = new_customer()
    assert _deliver(_stream_event(created["id"])) == {"batchItemFailures": []}
    assert _sent(ses) == 0 and mail_log.entries(created["id"]) == []
