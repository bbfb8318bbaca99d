"""Emails are queued with the change that causes them and sent by the stream handler: once, logged on
the customer's Emails tab, retried when SES fails, and never undoing the change."""
import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.settings import get_settings
from tests.support.streams import deliver, queued_mail_records, record

SHOPPER = {"email": "lea@example.com", "password": "a long enough password", "first_name": "Léa", "last_name": "Roy"}


@pytest.fixture
def ses(aws):
    client = boto3.client("ses")
    return client


def _verify_sender(ses):
    ses.verify_email_identity(EmailAddress=get_settings().mail_sender)


def _sent_messages() -> list:
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def _emails_tab(api, admin_token, customer_id):
    return api.get(f"/admin/customers/{customer_id}/emails", token=admin_token).json["items"]


def test_registration_sends_one_welcome_email_however_often_delivered(api, admin_token, ses):
    # Given a shopper who registered
    _verify_sender(ses)
    customer = api.post("/store/customers", SHOPPER).json
    [queued] = queued_mail_records(customer["id"])
    # When the stream delivers the queued email twice
    assert deliver(queued) == {"batchItemFailures": []}
    assert deliver(queued) == {"batchItemFailures": []}
    # Then one email went out, and the Emails tab says so
    assert len(_sent_messages()) == 1 and set(_sent_messages()[0].destinations) == {"lea@example.com"}
    [entry] = _emails_tab(api, admin_token, customer["id"])
    assert entry["template"] == "welcome" and entry["status"] == "sent" and entry["subject"] == "Welcome to our shop, Léa"


def test_a_failed_send_is_logged_and_retried_and_the_account_stays(api, admin_token, ses):
    # Given SES refuses the sender (not verified yet) and a second, unrelated change in the batch
    customer = api.post("/store/customers", SHOPPER).json
    [failing] = queued_mail_records(customer["id"])
    profile_inserted = record("INSERT", f"CUST#{customer['id']}", "PROFILE")
    # When the stream delivers both, only the failing record is reported for retry
    reply = deliver(failing, profile_inserted)
    assert reply["batchItemFailures"] == [{"itemIdentifier": failing["dynamodb"]["SequenceNumber"]}]
    assert _emails_tab(api, admin_token, customer["id"])[0]["status"] == "failed"
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).status == 200
    # And once SES accepts the sender, the retry sends it
    _verify_sender(ses)
    assert deliver(failing) == {"batchItemFailures": []}
    assert _emails_tab(api, admin_token, customer["id"])[0]["status"] == "sent" and len(_sent_messages()) == 1


def test_customers_created_by_staff_get_no_email(api, admin_token, new_customer, ses):
    created = new_customer()
    assert queued_mail_records(created["id"]) == []
    assert _emails_tab(api, admin_token, created["id"]) == []


def test_a_failed_send_names_no_email_address_in_what_the_stream_logs(api, admin_token, ses):
    # Given SES refusing a mail (its error message names the recipient)
    customer = api.post("/store/customers", SHOPPER).json
    [failing] = queued_mail_records(customer["id"])
    # When a batch of only that record fails, Lambda logs the error the handler raises
    with pytest.raises(Exception) as raised:
        deliver(failing)
    # Then that error names the mail, not the address
    assert "MailNotSent" in str(raised.value) and SHOPPER["email"] not in str(raised.value)
