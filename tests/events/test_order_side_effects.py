"""What follows an order change outside the request: emails to the customer (never undoing the change),
the scheduled cancel of unpaid online orders, and a deleted customer's orders losing who bought them."""
import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib.settings import get_settings
from tests.support.orders import GUEST
from tests.support.schedules import run_schedule
from tests.support.streams import deliver, queued_mail_records, raw_item, record


def _emails_tab(api, token, customer_id):
    return api.get(f"/admin/customers/{customer_id}/emails", token=token).json["items"]


def _sent():
    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages


def _status(api, order, status, token):
    return api.post(f"/admin/orders/{order['id']}/status", {"status": status}, token=token)


def _run_schedule():
    return run_schedule("cancel_unpaid_orders")


def test_each_status_the_customer_should_hear_about_queues_one_email(api, admin_token, place, new_customer):
    customer = new_customer()
    order = place(customer_id=customer["id"], payment_method="wire_transfer")
    queued = lambda: sorted(e["template"] for e in _emails_tab(api, admin_token, customer["id"]))  # noqa: E731
    assert queued() == ["order_received", "wire_transfer_instructions"]
    for status in ("paid", "processing", "shipped", "delivered"):
        _status(api, order, status, admin_token)
    # processing is the warehouse's business: no email for it
    assert queued() == ["order_delivered", "order_received", "order_shipped", "payment_received", "wire_transfer_instructions"]
    guest_order = place(guest=GUEST)
    _status(api, guest_order, "cancelled", admin_token)
    emails = _emails_tab(api, admin_token, guest_order["id"])
    assert sorted(e["template"] for e in emails) == ["order_cancelled", "order_received"]


def test_a_failed_email_is_retried_and_the_order_keeps_its_status(api, admin_token, place, new_customer):
    # Given a paid order whose "payment received" email SES refuses (sender not verified yet)
    customer = new_customer()
    order = place(customer_id=customer["id"])
    assert _status(api, order, "paid", admin_token).status == 200
    [mail] = [r for r in queued_mail_records(customer["id"])
              if r["dynamodb"]["NewImage"]["template"]["S"] == "payment_received"]
    unrelated = record("MODIFY", f"ORDER#{order['id']}", "ORDER")
    reply = deliver(mail, unrelated)
    # Then the record is reported for retry, the email is logged failed, the order stays paid
    assert reply["batchItemFailures"] == [{"itemIdentifier": mail["dynamodb"]["SequenceNumber"]}]
    assert {e["template"]: e["status"] for e in _emails_tab(api, admin_token, customer["id"])}["payment_received"] == "failed"
    assert api.get(f"/admin/orders/{order['id']}", token=admin_token).json["payment_status"] == "paid"
    # And when SES accepts the sender, the retry sends it once, to the customer
    boto3.client("ses").verify_email_identity(EmailAddress=get_settings().mail_sender)
    assert deliver(mail) == {"batchItemFailures": []}
    assert deliver(mail) == {"batchItemFailures": []}
    assert len(_sent()) == 1 and set(_sent()[0].destinations) == {customer["email"]}
    events = api.get(f"/admin/orders/{order['id']}/timeline", token=admin_token).json["items"]
    assert [e["data"]["template"] for e in events if e["type"] == "email_sent"] == ["payment_received"]


def test_online_orders_left_unpaid_are_cancelled_by_the_schedule(api, admin_token, place, clock):
    # Given a card order and a PayPal order placed now, a wire transfer and a cash order
    card, paypal = place(guest=GUEST), place(guest=GUEST, payment_method="paypal")
    wire, cash = place(guest=GUEST, payment_method="wire_transfer"), place(guest=GUEST, payment_method="cash_on_delivery")
    _status(api, paypal, "paid", admin_token)
    # When the schedule runs 47 hours later, nothing is old enough
    clock.advance(hours=47)
    assert _run_schedule() == {"cancelled": 0}
    # When it runs after 48 hours, only the unpaid card order is cancelled, once
    clock.advance(hours=2)
    assert _run_schedule() == {"cancelled": 1}
    assert _run_schedule() == {"cancelled": 0}
    states = {o["id"]: api.get(f"/admin/orders/{o['id']}", token=admin_token).json["status"] for o in (card, paypal, wire, cash)}
    assert states == {card["id"]: "cancelled", paypal["id"]: "open", wire["id"]: "open", cash["id"]: "open"}
    events = api.get(f"/admin/orders/{card['id']}/timeline", token=admin_token).json["items"]
    assert events[0]["actor"] == "system:unpaid-timeout" and events[0]["data"]["to"] == "cancelled"


def test_orders_cancelled_earlier_never_hold_up_the_next_runs(api, admin_token, place, clock, monkeypatch):
    from chalicelib.services import orders

    # Given three unpaid card orders, and a job that takes one order per run
    placed = [place(guest=GUEST) for _ in range(3)]
    monkeypatch.setattr(orders, "_UNPAID_PAGE", 1)
    clock.advance(hours=49)
    # Then each run cancels the next one: those cancelled before are no longer read
    assert [_run_schedule() for _ in range(4)] == [{"cancelled": 1}, {"cancelled": 1}, {"cancelled": 1}, {"cancelled": 0}]
    assert {api.get(f"/admin/orders/{o['id']}", token=admin_token).json["status"] for o in placed} == {"cancelled"}


def test_the_delay_before_cancelling_is_a_setting(api, admin_token, place, clock):
    order = place(guest=GUEST)
    assert api.patch("/admin/settings", {"unpaid_order_cancel_hours": 2}, token=admin_token).status == 200
    assert api.patch("/admin/settings", {"unpaid_order_cancel_hours": 0}, token=admin_token).status == 422
    clock.advance(hours=3)
    assert _run_schedule() == {"cancelled": 1}
    assert api.get(f"/admin/orders/{order['id']}", token=admin_token).json["status"] == "cancelled"


def test_a_deleted_customers_orders_keep_what_was_bought_not_who_bought_it(api, admin_token, place, new_customer):
    # Given a customer with an order
    customer = new_customer(email="gone@example.com")
    order = place(customer_id=customer["id"], billing_address={"name": "Zed", "line1": "1 Road", "city": "Nice",
                                                              "zip": "06000", "country": "FR"})
    old_image = raw_item(f"CUST#{customer['id']}", "PROFILE")
    # When the customer is deleted and the stream delivers it (twice)
    assert api.delete(f"/admin/customers/{customer['id']}", token=admin_token).status == 204
    removed = record("REMOVE", f"CUST#{customer['id']}", "PROFILE", old_image=old_image)
    assert deliver(removed) == {"batchItemFailures": []}
    assert deliver(removed) == {"batchItemFailures": []}
    # Then the order is still there with its lines and totals, without personal data
    kept = api.get(f"/admin/orders/{order['id']}", token=admin_token).json
    assert kept["customer_id"] is None and kept["customer"]["email"] is None and kept["customer"]["first_name"] == "Deleted"
    assert kept["billing_address"] == {"city": "Nice", "zip": "06000", "country": "FR"}
    assert kept["shipping_address"] == {"city": "Lyon", "zip": "69001", "country": "FR"}
    assert kept["total"] == order["total"] and kept["lines"] == order["lines"]
    assert api.get("/admin/orders?q=gone@example", token=admin_token).json["items"] == []
    # And it can still be moved on (its stats no longer go anywhere)
    assert _status(api, order, "paid", admin_token).status == 200
