"""Callbacks from other services: the payment provider (/webhooks/payments)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import PUBLIC, route
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
payments = lazy_import("chalicelib.services.payments")


@route(bp, "/payments", "POST", access=PUBLIC, response="chalicelib.services.payments:WebhookReply",
       summary="Payment outcome (HMAC-SHA256 signed in the Payment-Signature header); once per event id")
def payment_webhook():
    request = bp.current_request
    return payments.receive(request.raw_body or b"", request.headers.get("payment-signature", ""))
