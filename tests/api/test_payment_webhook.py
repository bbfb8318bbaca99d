"""The payment provider's webhook: a signed event pays (or fails) an order once; anything unsigned,
stale, replayed or not matching the order changes nothing but what it must (a flag for staff)."""
import json
import time

import pytest

from chalicelib.domain.payments import sign
from chalicelib.settings import get_settings
from tests.support.orders import GUEST, signed_payment


@pytest.fixture
def card_order(place, new_customer):
    """A card order of a registered customer, awaiting payment (2 x MUG-01 + shipping = 2990 EUR)."""
    customer = new_customer()
    return place(customer_id=customer["id"])


def _order(api, admin_token, order_id):
    reply = api.get(f"/admin/orders/{order_id}", token=admin_token)
    assert reply.status == 200, reply.json
    return reply.json


def _timeline(api, admin_token, order_id):
    reply = api.get(f"/admin/orders/{order_id}/timeline?limit=100", token=admin_token)
    assert reply.status == 200, reply.json
    return reply.json["items"]


def _total_spent(api, admin_token, customer_id):
    return api.get(f"/admin/customers/{customer_id}", token=admin_token).json["stats"]["total_spent"]


def _post_signed(api, raw_body: bytes, at: int | None = None):
    header = sign(get_settings().payment_webhook_secret, at or int(time.time()), raw_body)
    return api.call("POST", "/webhooks/payments", body=raw_body, headers={"Payment-Signature": header})


def test_signed_payment_succeeded_marks_the_order_paid(api, admin_token, card_order):
    # Given a card order awaiting payment
    assert card_order["payment_status"] == "awaiting_payment"
    # When the provider says the payment succeeded
    reply = signed_payment(api, card_order, event_id="evt_paid")
    # Then the order is paid, and its timeline says the provider moved it
    assert reply.status == 200, reply.json
    assert reply.json == {"status": "applied", "order_id": card_order["id"], "payment_status": "paid"}
    order = _order(api, admin_token, card_order["id"])
    assert order["payment_status"] == "paid" and order["flags"] == []
    [changed] = [e for e in _timeline(api, admin_token, card_order["id"]) if e["type"] == "status_changed"]
    assert changed["actor"] == "payment-provider"
    assert changed["data"] == {"axis": "payment_status", "from": "awaiting_payment", "to": "paid"}


def test_replayed_payment_event_is_already_processed_and_changes_nothing(api, admin_token, card_order):
    # Given an order paid by provider event evt_once
    assert signed_payment(api, card_order, event_id="evt_once").status == 200
    timeline_length = len(_timeline(api, admin_token, card_order["id"]))
    spent = _total_spent(api, admin_token, card_order["customer_id"])
    version_before = _order(api, admin_token, card_order["id"])["updated_at"]
    # When the provider delivers the same event again
    reply = signed_payment(api, card_order, event_id="evt_once")
    # Then it is acknowledged as already processed, and nothing changed
    assert reply.status == 200, reply.json
    assert reply.json["status"] == "already_processed" and reply.json["order_id"] == card_order["id"]
    assert len(_timeline(api, admin_token, card_order["id"])) == timeline_length
    assert _total_spent(api, admin_token, card_order["customer_id"]) == spent == 2990
    order = _order(api, admin_token, card_order["id"])
    assert order["payment_status"] == "paid" and order["flags"] == [] and order["updated_at"] == version_before


@pytest.mark.parametrize("tamper", ["wrong_signature", "wrong_secret", "missing_header"])
def test_unsigned_or_badly_signed_event_is_refused_and_the_order_unchanged(api, admin_token, card_order, tamper):
    # Given a payment event whose signature cannot be trusted
    body = json.dumps({"id": "evt_forged", "type": "payment.succeeded", "order_id": card_order["id"],
                       "amount": card_order["total"], "currency": card_order["currency"]}).encode()
    headers = {}
    if tamper == "wrong_signature":
        headers["Payment-Signature"] = f"t={int(time.time())},v1={'0' * 64}"
    elif tamper == "wrong_secret":
        headers["Payment-Signature"] = sign("not-the-shared-secret", int(time.time()), body)
    # When it is posted
    reply = api.call("POST", "/webhooks/payments", body=body, headers=headers)
    # Then it is refused, and the order is still awaiting payment with nothing on its timeline
    assert reply.status == 401, reply.json
    assert reply.error_code is not None
    order = _order(api, admin_token, card_order["id"])
    assert order["payment_status"] == "awaiting_payment" and order["flags"] == []
    assert [e["type"] for e in _timeline(api, admin_token, card_order["id"])] == ["order_placed"]


def test_signed_body_altered_after_signing_is_refused(api, admin_token, card_order):
    # Given a valid signature of one body, sent with another (the amount changed on the way)
    signed_body = json.dumps({"id": "evt_x", "type": "payment.succeeded", "order_id": card_order["id"],
                              "amount": 1, "currency": "EUR"}).encode()
    header = sign(get_settings().payment_webhook_secret, int(time.time()), signed_body)
    sent_body = signed_body.replace(b'"amount": 1,', b'"amount": 2990,')
    # When it is posted
    reply = api.call("POST", "/webhooks/payments", body=sent_body, headers={"Payment-Signature": header})
    # Then it is refused
    assert reply.status == 401
    assert _order(api, admin_token, card_order["id"])["payment_status"] == "awaiting_payment"


def test_stale_payment_event_is_refused(api, admin_token, card_order):
    # When a correctly signed event from an hour ago arrives
    reply = signed_payment(api, card_order, event_id="evt_old", at=int(time.time()) - 3600)
    # Then it is a bad request and the order is not paid
    assert reply.status == 400, reply.json
    assert _order(api, admin_token, card_order["id"])["payment_status"] == "awaiting_payment"


@pytest.mark.parametrize("mismatch", [{"amount": 2989}, {"currency": "USD"}])
def test_payment_not_matching_the_order_flags_it_instead_of_paying(api, admin_token, card_order, mismatch):
    # When the provider reports a payment of another amount or currency than the order's
    reply = signed_payment(api, card_order, event_id="evt_mismatch", **mismatch)
    # Then the order is not paid: it carries one flag, and its timeline says why
    assert reply.status == 200, reply.json
    order = _order(api, admin_token, card_order["id"])
    assert order["payment_status"] == "awaiting_payment"
    [flag] = order["flags"]
    assert str(card_order["total"]) in flag
    [flagged] = [e for e in _timeline(api, admin_token, card_order["id"]) if e["type"] == "payment_flagged"]
    assert flagged["actor"] == "payment-provider" and flagged["data"]["reason"] == flag
    # And a replay of that event flags nothing more
    assert signed_payment(api, card_order, event_id="evt_mismatch", **mismatch).json["status"] == "already_processed"
    assert len(_order(api, admin_token, card_order["id"])["flags"]) == 1


def test_payment_failed_marks_the_order_payment_failed(api, admin_token, card_order):
    # When the provider says the payment failed
    reply = signed_payment(api, card_order, event_id="evt_failed", kind="payment.failed")
    # Then the order's payment failed
    assert reply.status == 200, reply.json
    assert reply.json["payment_status"] == "payment_failed"
    assert _order(api, admin_token, card_order["id"])["payment_status"] == "payment_failed"


def test_payment_for_an_unknown_order_is_not_found(api):
    # When the provider reports a payment for an order we do not have
    reply = signed_payment(api, {"id": "no-such-order", "total": 2990, "currency": "EUR"}, event_id="evt_ghost")
    # Then it is a 404
    assert reply.status == 404, reply.json
    assert reply.error_code == "not_found"


def test_signed_body_that_is_not_json_is_a_bad_request(api):
    # When a correctly signed body is not JSON
    reply = _post_signed(api, b"{not json")
    # Then it is a 400
    assert reply.status == 400, reply.json


@pytest.mark.parametrize("bad", [{"amount": -1}, {"type": "x"}, {"amount": "2990"}, {"currency": "eur"}, {"id": ""}])
def test_signed_event_with_bad_fields_is_invalid_input(api, admin_token, card_order, bad):
    # When a correctly signed event has a field out of its bounds
    event = {"id": "evt_bad", "type": "payment.succeeded", "order_id": card_order["id"],
             "amount": card_order["total"], "currency": "EUR", **bad}
    reply = _post_signed(api, json.dumps(event).encode())
    # Then it is a 422 and the order is untouched
    assert reply.status == 422, reply.json
    assert _order(api, admin_token, card_order["id"])["payment_status"] == "awaiting_payment"


def test_successful_payment_after_cancellation_flags_the_order(api, admin_token, place):
    # Given a guest's card order staff cancelled
    order = place(guest=GUEST)
    assert api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token).status == 200
    # When the provider then says its payment succeeded
    reply = signed_payment(api, order, event_id="evt_late")
    # Then it is acknowledged, and the order stays cancelled and unpaid with a flag for staff
    assert reply.status == 200, reply.json
    after = _order(api, admin_token, order["id"])
    assert after["status"] == "cancelled" and after["payment_status"] == "awaiting_payment"
    assert len(after["flags"]) == 1
    assert "payment_flagged" in [e["type"] for e in _timeline(api, admin_token, order["id"])]


@pytest.mark.parametrize("header", ["t=\u00b2,v1=x", "t=1,v1=\u00e9\u00e9", "t=,v1=", "garbage",
                                    "t=1" + "0" * 30 + ",v1=" + "a" * 64])
def test_malformed_signatures_are_401_not_500(api, place, header):
    order = place(guest={"email": "g@example.com", "first_name": "G", "last_name": "H"})
    body = json.dumps({"id": "evt_x", "type": "payment.succeeded", "order_id": order["id"], "amount": 1,
                       "currency": "EUR"}).encode()
    assert api.call("POST", "/webhooks/payments", body=body,
                    headers={"Payment-Signature": header.encode("utf-8").decode("latin-1")}).status == 401
