"""Bearer tokens (JWT).

Staff tokens: issued by a Cognito user pool in AWS (RS256, checked against its JWKS with PyJWT) or,
locally, signed with a dev secret (HS256). Both carry a role: admin, agent or support.
Customer tokens: issued by this app at login (HS256 with the customer-token secret), short-lived.

HS256 tokens are signed and checked here with the standard library (hmac): PyJWT loads the
`cryptography` bindings at import, ~130 ms of every cold start, which only RS256 needs. The tests
check these tokens against PyJWT both ways, and reject every other algorithm.
"""
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.domain.errors import Unauthorized

STAFF_ROLES = ("admin", "agent", "support")
_CUSTOMER_AUDIENCE = "shop:customer"
_STAFF_AUDIENCE = "shop:staff"
_CHECKOUT_LINK_AUDIENCE = "shop:checkout-link"
_HS256_HEADER = {"alg": "HS256", "typ": "JWT"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: staff with a role, or a customer with their id."""

    kind: str  # "staff" | "customer"
    subject: str
    role: str | None = None

    @property
    def actor(self) -> str:
        """How timelines and notes name who did something: 'staff:ann', 'customer:01J...'."""
        return f"{self.kind}:{self.subject}"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(signing_input: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()


def encode_hs256(claims: dict, secret: str) -> str:
    segments = [_b64encode(json.dumps(part, separators=(",", ":")).encode()) for part in (_HS256_HEADER, claims)]
    signing_input = ".".join(segments).encode()
    return f"{signing_input.decode()}.{_b64encode(_sign(signing_input, secret))}"


def _invalid() -> Unauthorized:
    return Unauthorized("The token is invalid.")


def _check_claims(claims: object, audience: str | None, expired_ok: bool = False) -> dict:
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or not isinstance(claims.get("exp"), (int, float)):
        raise _invalid()
    if claims["exp"] <= time.time() and not expired_ok:
        raise Unauthorized("The token has expired.")
    if audience is not None and claims.get("aud") != audience:
        raise _invalid()
    return claims


def decode_hs256(token: str, secret: str, audience: str, expired_ok: bool = False) -> dict:
    """Claims of a token signed with `secret`; HS256 only (no 'none', no algorithm switching).
    `expired_ok`: the caller checks `exp` itself (to tell an expired link from a forged one)."""
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64decode(header_b64))
        expected = _sign(f"{header_b64}.{payload_b64}".encode(), secret)
        signature_ok = hmac.compare_digest(expected, _b64decode(signature_b64))
        claims = json.loads(_b64decode(payload_b64))
    except (ValueError, UnicodeDecodeError):  # wrong segment count, bad base64, bad JSON
        raise _invalid() from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not signature_ok:
        raise _invalid()
    return _check_claims(claims, audience, expired_ok)


def issue_customer_token(customer_id: str, secret: str, ttl_seconds: int, now: float | None = None) -> str:
    now = int(now if now is not None else time.time())
    return encode_hs256({"sub": customer_id, "aud": _CUSTOMER_AUDIENCE, "iat": now, "exp": now + ttl_seconds}, secret)


def issue_dev_staff_token(subject: str, role: str, secret: str, ttl_seconds: int = 12 * 3600) -> str:
    """Local stand-in for a Cognito token (the dev stack and tests use it)."""
    now = int(time.time())
    claims = {"sub": subject, "aud": _STAFF_AUDIENCE, "custom:role": role, "iat": now, "exp": now + ttl_seconds}
    return encode_hs256(claims, secret)


def issue_checkout_link_token(link_id: str, cart_id: str, expires_at: int, secret: str) -> str:
    return encode_hs256({"sub": link_id, "cart": cart_id, "aud": _CHECKOUT_LINK_AUDIENCE, "exp": expires_at}, secret)


def read_checkout_link_token(token: str, secret: str) -> dict:
    """The claims of a checkout link (401 if forged or damaged); its expiry is the caller's to check."""
    return decode_hs256(token, secret, _CHECKOUT_LINK_AUDIENCE, expired_ok=True)


def verify_customer_token(token: str, secret: str) -> Principal:
    return Principal(kind="customer", subject=decode_hs256(token, secret, _CUSTOMER_AUDIENCE)["sub"])


@lru_cache(maxsize=4)
def _jwks_client(url: str):
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True)


def _decode_cognito(token: str, jwks_url: str, issuer: str, audience: str | None) -> dict:
    """RS256 against the user pool's JWKS, with PyJWT (loaded on the first staff request)."""
    import jwt
    from jwt.types import Options

    try:
        key = _jwks_client(jwks_url).get_signing_key_from_jwt(token).key
        options: Options = {"require": ["exp", "sub"], "verify_aud": audience is not None}
        return jwt.decode(token, key, algorithms=["RS256"], options=options, audience=audience, issuer=issuer or None)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.") from None
    except jwt.PyJWTError:
        raise _invalid() from None


def _staff_role(claims: dict) -> str:
    candidates = [claims.get("custom:role"), *claims.get("cognito:groups", [])]
    role = next((c for c in candidates if c in STAFF_ROLES), None)
    if role is None:
        raise Unauthorized("The token carries no staff role.")
    return role


def verify_staff_token(token: str, *, secret: str = "", jwks_url: str = "", issuer: str = "", audience: str = "") -> Principal:
    """Cognito (JWKS) when configured, else the dev secret. Neither configured: no staff access."""
    if jwks_url:
        claims = _decode_cognito(token, jwks_url, issuer, audience or None)
    elif secret:
        claims = decode_hs256(token, secret, _STAFF_AUDIENCE)
    else:
        raise Unauthorized("Staff authentication is not configured.")
    return Principal(kind="staff", subject=claims["sub"], role=_staff_role(claims))
