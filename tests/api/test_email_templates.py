"""Email templates: staff see every order and account email with its text in force, admins disable
one or rewrite its subject, text and HTML; what they write is checked (sandboxed Jinja2) before it is
stored, and the next email of that template follows it."""
from email import message_from_string
from email.message import EmailMessage
from email.policy import default

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.domain.mail import CART_TEMPLATES, ORDER_TEMPLATES
from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.streams import deliver, queued_mail_records, record

SHOPPER = {"email": "lea@example.com", "password": "a long enough password", "first_name": "Léa", "last_name": "Roy"}


@pytest.fixture
def ses(aws):
    client = boto3.client("ses")
    client.verify_email_identity(EmailAddress=get_settings().mail_sender)
    return client


def _sent_messages() -> list[EmailMessage]:
    """What SES sent, parsed back into messages."""
    return [message_from_string(m.raw_data, policy=default) for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages]


def _templates(api, token) -> dict:
    reply = api.get("/admin/email-templates", token=token)
    assert reply.status == 200, reply.json
    return {t["name"]: t for t in reply.json["items"]}


def _register_and_deliver(api, admin_token) -> dict:
    """A shopper registers and the stream delivers their welcome email; returns its Emails tab line."""
    customer = api.post("/store/customers", SHOPPER).json
    [queued] = queued_mail_records(customer["id"])
    assert deliver(queued) == {"batchItemFailures": []}
    [entry] = api.get(f"/admin/customers/{customer['id']}/emails", token=admin_token).json["items"]
    return entry


def test_any_staff_sees_the_account_and_order_templates_with_their_defaults(api):
    # When support staff list the templates
    templates = _templates(api, staff_token("support"))
    # Then the account and order emails are there, enabled, with the default texts
    assert list(templates) == ["welcome", "verify_email", *ORDER_TEMPLATES, *CART_TEMPLATES]
    welcome = templates["welcome"]
    assert welcome["enabled"] is True and welcome["customized"] is False and welcome["description"]
    assert welcome["subject"].strip() == "Welcome to our shop, {{ first_name }}"
    assert "{{ email }}" in welcome["body"] and "<p>" in welcome["html"]
    assert "IBAN:" in templates["wire_transfer_instructions"]["body"]


def test_an_edited_subject_is_used_by_the_next_welcome_email(api, admin_token, ses):
    # Given an admin rewrote the welcome subject
    reply = api.patch("/admin/email-templates/welcome", {"subject": "Hi {{ first_name }}, welcome aboard"}, token=admin_token)
    assert reply.status == 200, reply.json
    assert reply.json["customized"] is True and reply.json["updated_by"] == "staff:staff-1"
    assert "{{ email }}" in reply.json["body"]  # the parts not edited stay the defaults
    # When a shopper registers and the email goes out
    entry = _register_and_deliver(api, admin_token)
    # Then it carries the new subject, and the list shows the edit
    assert entry["status"] == "sent" and entry["subject"] == "Hi Léa, welcome aboard"
    assert len(_sent_messages()) == 1 and _sent_messages()[0]["Subject"] == "Hi Léa, welcome aboard"
    assert _templates(api, admin_token)["welcome"]["subject"] == "Hi {{ first_name }}, welcome aboard"


def test_an_edited_html_body_escapes_what_the_context_holds(api, admin_token, ses):
    # Given an admin rewrote the HTML part, and a shopper whose name holds HTML's special characters
    api.patch("/admin/email-templates/welcome", {"html": "<p>Bonjour {{ first_name }}</p>"}, token=admin_token)
    customer = api.post("/store/customers", {**SHOPPER, "first_name": "Tom & \"Jo\""}).json
    # When the email goes out
    [queued] = queued_mail_records(customer["id"])
    deliver(queued)
    # Then they are escaped
    [message] = _sent_messages()
    assert message.get_body(("html",)).get_content().strip() == "<p>Bonjour Tom &amp; &#34;Jo&#34;</p>"


def test_a_disabled_template_sends_nothing_and_logs_the_email_skipped(api, admin_token, ses):
    # Given an admin disabled the welcome email
    reply = api.patch("/admin/email-templates/welcome", {"enabled": False}, token=admin_token)
    assert reply.status == 200 and reply.json["enabled"] is False and reply.json["customized"] is False
    # When a shopper registers and the stream delivers the queued email
    entry = _register_and_deliver(api, admin_token)
    # Then nothing was sent and the Emails tab says skipped
    assert entry["status"] == "skipped" and _sent_messages() == []
    # And once enabled again, the next registration's email goes out
    api.patch("/admin/email-templates/welcome", {"enabled": True}, token=admin_token)
    customer = api.post("/store/customers", {**SHOPPER, "email": "max@example.com"}).json
    [queued] = queued_mail_records(customer["id"])
    deliver(queued)
    assert len(_sent_messages()) == 1


@pytest.mark.parametrize("field, source", [
    ("subject", "Welcome {{ first_name "),
    ("body", "{% for x in %}{% endfor %}"),
    ("html", "<p>{% if first_name %}</p>"),
])
def test_a_template_that_does_not_compile_is_refused_and_nothing_is_stored(api, admin_token, field, source):
    # When an admin saves a part with a Jinja syntax error
    reply = api.patch("/admin/email-templates/welcome", {field: source, "enabled": False}, token=admin_token)
    # Then it is a 422 naming the field, and the template is unchanged
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == field
    assert "syntax" in reply.json["error"]["details"][0]["message"]
    welcome = _templates(api, admin_token)["welcome"]
    assert welcome["enabled"] is True and welcome["customized"] is False


def test_a_template_using_a_variable_its_emails_do_not_have_is_refused(api, admin_token):
    # The welcome email has no order; an order email has one
    reply = api.patch("/admin/email-templates/welcome", {"body": "Your order {{ order.number }}"}, token=admin_token)
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "body"
    reply = api.patch("/admin/email-templates/order_shipped",
                      {"body": "Order {{ order.number }}: {{ order.total | money(order.currency) }}"},
                      token=admin_token)
    assert reply.status == 200 and reply.json["body"] == "Order {{ order.number }}: {{ order.total | money(order.currency) }}"


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ first_name.__class__.__base__.__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ 'x' * 1000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
])
def test_a_template_reaching_for_python_internals_or_huge_values_is_refused(api, admin_token, source):
    # When an admin saves a template that tries to escape the sandbox
    reply = api.patch("/admin/email-templates/welcome", {"body": source}, token=admin_token)
    # Then it is refused, and nothing is stored
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "body"
    assert _templates(api, admin_token)["welcome"]["customized"] is False


def test_a_part_set_to_null_goes_back_to_the_default(api, admin_token):
    api.patch("/admin/email-templates/order_received", {"subject": "Order {{ order.number }} received"}, token=admin_token)
    reply = api.patch("/admin/email-templates/order_received", {"subject": None}, token=admin_token)
    assert reply.status == 200 and reply.json["customized"] is False
    assert reply.json["subject"].strip() == "We received your order #{{ order.number }}"


def test_bad_changes_and_unknown_templates_are_refused(api, admin_token):
    assert api.patch("/admin/email-templates/no_such_email", {"enabled": False}, token=admin_token).status == 404
    assert api.patch("/admin/email-templates/..%2Fwelcome", {"enabled": False}, token=admin_token).status == 404
    for bad in ({}, {"enabled": None}, {"enabled": "maybe"}, {"subject": ""}, {"colour": "red"}):
        assert api.patch("/admin/email-templates/welcome", bad, token=admin_token).status == 422, bad


def test_only_admins_change_templates_and_staff_must_sign_in(api):
    before = _templates(api, staff_token("agent"))["welcome"]
    for role in ("agent", "support"):
        assert api.patch("/admin/email-templates/welcome", {"enabled": False}, token=staff_token(role)).status == 403
    assert _templates(api, staff_token("agent"))["welcome"] == before
    assert api.patch("/admin/email-templates/welcome", {"enabled": False}).status == 401
    assert api.get("/admin/email-templates").status == 401
    assert _templates(api, staff_token("agent"))["welcome"]["enabled"] is True


def test_a_template_edit_reaching_the_stream_starts_nothing(api, admin_token):
    # Given an admin's edit, as the table's stream delivers it (the item is a configuration document)
    api.patch("/admin/email-templates/welcome", {"enabled": False}, token=admin_token)
    edited = record("INSERT", "EMAILTPL", "welcome")
    assert edited["dynamodb"]["NewImage"]["type"] == {"S": "document"}
    # When the stream function gets it, then it has nothing to do and nothing fails
    assert deliver(edited) == {"batchItemFailures": []}
