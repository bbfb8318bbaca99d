"""Payment provider callbacks: a signed event saying an order's payment succeeded or failed.

Signature: header `Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
(the scheme Stripe and others use): the timestamp is signed with the body, so an old request replayed
later is refused as stale, and a replay within the window is stopped by the event id."""
import hashlib
import hmac
import re
from typing import Annotated, Literal

from pydantic import Field

from chalicelib.domain.base import Input
from chalicelib.domain.errors import BadRequest, Unauthorized

SIGNATURE_HEADER = "payment-signature"


class PaymentEvent(Input):
    id: Annotated[str, Field(min_length=1, max_length=200)]  # the provider's event id
    type: Literal["payment.succeeded", "payment.failed"]
    order_id: Annotated[str, Field(min_length=1, max_length=64)]
    amount: Annotated[int, Field(ge=0, strict=True)]  # minor units
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")]


def sign(secret: str, timestamp: int, raw_body: bytes) -> str:
    """The header value for a body (the provider's side; our tests and bench use it)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, raw_body: bytes, now: int, tolerance: int) -> None:
    """401 unless the header carries a valid signature of this body; 400 if it is too old (or new)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp, signature = parts.get("t", ""), parts.get("v1", "")
    if not secret or not re.fullmatch(r"[0-9]{1,12}", timestamp) or not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise Unauthorized("The payment signature is missing or malformed.")
    expected = sign(secret, int(timestamp), raw_body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, signature):
        raise Unauthorized("The payment signature does not match.")
    if abs(now - int(timestamp)) > tolerance:
        raise BadRequest("The payment event is stale: its timestamp is outside the accepted window.")
