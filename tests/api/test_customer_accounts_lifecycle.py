"""Account status and email verification: who may log in and buy, and how an email gets confirmed."""
import email
import email.policy
import re

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.domain.customers import can_buy
from chalicelib.services.customers import get_customer
from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.streams import deliver, queued_mail_records

SHOPPER = {"email": "nina@example.com", "password": "a long enough password", "first_name": "Nina", "last_name": "Berg"}


def _register(api):
    reply = api.post("/store/customers", SHOPPER)
    assert reply.status == 201, reply.json
    return reply.json


def _log_in(api):
    return api.post("/store/login", {"email": SHOPPER["email"], "password": SHOPPER["password"]})


def _verification_link_sent(customer_id: str) -> str:
    """Deliver the queued verification email and read the token out of the message SES got."""
    import boto3

    boto3.client("ses").verify_email_identity(EmailAddress=get_settings().mail_sender)
    assert deliver(*queued_mail_records(customer_id)) == {"batchItemFailures": []}
    raw = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages[-1].raw_data
    message = email.message_from_string(raw, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"token=([A-Za-z0-9_-]+)", text).group(1)


def test_without_auto_validation_a_new_account_waits_for_staff(api, admin_token, store_settings):
    # Given the store validates accounts by hand
    store_settings(auto_validate_accounts=False)
    customer = _register(api)
    # Then the account is pending: no login, no checkout
    assert customer["status"] == "pending"
    reply = _log_in(api)
    assert reply.status == 403 and "validate" in reply.json["error"]["message"]
    assert not can_buy(get_customer(customer["id"]), require_email_verification=False)
    # When staff validate it, the shopper can log in and buy
    api.patch(f"/admin/customers/{customer['id']}", {"status": "active"}, token=admin_token)
    assert _log_in(api).status == 200
    assert can_buy(get_customer(customer["id"]), require_email_verification=False)


def test_inactive_customers_cannot_log_in_and_lose_their_sessions(api, admin_token):
    customer = _register(api)
    token = _log_in(api).json["token"]
    api.patch(f"/admin/customers/{customer['id']}", {"status": "inactive"}, token=admin_token)
    assert _log_in(api).status == 403
    assert api.get("/store/me", token=token).status == 403


def test_verification_email_link_confirms_the_email_once(api, admin_token, store_settings):
    # Given the store requires verified emails
    store_settings(require_email_verification=True)
    customer = _register(api)
    assert not can_buy(get_customer(customer["id"]), require_email_verification=True)
    token = _verification_link_sent(customer["id"])
    # When the shopper opens the link
    reply = api.post("/store/verify-email", {"token": token})
    # Then the email is verified, the timeline says so, and the link cannot be used again
    assert reply.status == 200 and reply.json["email_verified"] is True
    assert can_buy(get_customer(customer["id"]), require_email_verification=True)
    timeline = api.get(f"/admin/customers/{customer['id']}/timeline", token=admin_token).json["items"]
    assert timeline[0]["type"] == "email_verified"
    again = api.post("/store/verify-email", {"token": token})
    assert again.status == 422 and again.error_code == "validation_error"


def test_an_expired_or_made_up_verification_link_is_refused(api, store_settings, clock):
    store_settings(require_email_verification=True)
    customer = _register(api)
    token = _verification_link_sent(customer["id"])
    assert api.post("/store/verify-email", {"token": "x" * 43}).status == 422
    clock.advance(hours=49)
    assert api.post("/store/verify-email", {"token": token}).status == 422
    assert get_customer(customer["id"]).email_verified is False


def test_staff_confirm_an_email_by_hand(api, admin_token):
    customer = _register(api)
    assert api.post(f"/admin/customers/{customer['id']}/verify-email", token=staff_token("support")).status == 403
    assert get_customer(customer["id"]).email_verified is False  # support may not
    reply = api.post(f"/admin/customers/{customer['id']}/verify-email", token=admin_token)
    assert reply.status == 200 and reply.json["email_verified"] is True


def test_resending_the_verification_email_is_limited_to_once_per_15_minutes(api, admin_token, clock):
    customer = _register(api)
    path = f"/admin/customers/{customer['id']}/resend-verification"
    assert api.post(path, token=admin_token).status == 202
    clock.advance(minutes=14)
    refused = api.post(path, token=admin_token)
    assert refused.status == 429 and refused.error_code == "rate_limited"
    clock.advance(minutes=2)
    assert api.post(path, token=staff_token("support")).status == 202
    emails = [e["template"] for e in api.get(f"/admin/customers/{customer['id']}/emails", token=admin_token).json["items"]]
    assert emails.count("verify_email") == 2


def test_resend_for_an_unknown_or_verified_customer(api, admin_token):
    assert api.post("/admin/customers/01JNOPE0000000000000000000/resend-verification", token=admin_token).status == 404
    customer = _register(api)
    api.post(f"/admin/customers/{customer['id']}/verify-email", token=admin_token)
    assert api.post(f"/admin/customers/{customer['id']}/resend-verification", token=admin_token).status == 422
