"""Callbacks from other services: the payment provider (/webhooks/payments)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import SIGNED, route

bp = Blueprint(__name__)


@route(bp, "/payments", "POST", access=SIGNED, raw_body="chalicelib.domain.payments:PaymentEvent",
       response="chalicelib.services.payments:WebhookReply",
       summary="Payment outcome (HMAC-SHA256 signed in the Payment-Signature header); once per event id")
def payment_webhook():
    from chalicelib.services import payments

    request = bp.current_request
    raw = request.raw_body or b""
    return payments.receive(raw if isinstance(raw, bytes) else raw.encode(), request.headers.get("payment-signature", ""))
