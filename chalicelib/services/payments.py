"""The payment provider's webhook: verify, parse, apply once."""
import json
from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.domain.errors import BadRequest, PaymentEventSeen
from chalicelib.domain.payments import PaymentEvent, verify
from chalicelib.services import orders
from chalicelib.settings import get_settings


@dataclass
class WebhookReply:
    status: str  # applied | already_processed
    order_id: str
    payment_status: str | None = None


def receive(raw_body: bytes, signature: str) -> WebhookReply:
    settings = get_settings()
    verify(settings.payment_webhook_secret, signature, raw_body, int(clock.now().timestamp()),
           settings.payment_webhook_tolerance_seconds)
    try:
        data = json.loads(raw_body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None
    event = PaymentEvent.model_validate(data)
    try:
        order = orders.apply_payment(event.order_id, event.id, event.type == "payment.succeeded", event.amount, event.currency)
    except PaymentEventSeen:
        return WebhookReply(status="already_processed", order_id=event.order_id)
    return WebhookReply(status="applied", order_id=order.id, payment_status=order.payment_status)
