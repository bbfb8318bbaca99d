"""Bearer tokens (JWT).

Staff tokens: issued by a Cognito user pool in AWS (RS256, checked against its JWKS) or, locally,
signed with a dev secret (HS256). Both carry a role: admin, agent or support.
Customer tokens: issued by this app at login (HS256 with the customer-token secret), short-lived.
"""
import time
from dataclasses import dataclass
from functools import lru_cache

import jwt

from chalicelib.domain.errors import Unauthorized

STAFF_ROLES = ("admin", "agent", "support")
_CUSTOMER_AUDIENCE = "shop:customer"
_STAFF_AUDIENCE = "shop:staff"


@dataclass(frozen=True)
class Principal:
    """Who is calling: staff with a role, or a customer with their id."""

    kind: str  # "staff" | "customer"
    subject: str
    role: str | None = None


def issue_customer_token(customer_id: str, secret: str, ttl_seconds: int, now: float | None = None) -> str:
    now = int(now if now is not None else time.time())
    claims = {"sub": customer_id, "aud": _CUSTOMER_AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def issue_dev_staff_token(subject: str, role: str, secret: str, ttl_seconds: int = 12 * 3600) -> str:
    """Local stand-in for a Cognito token (the dev stack and tests use it)."""
    now = int(time.time())
    claims = {"sub": subject, "aud": _STAFF_AUDIENCE, "custom:role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def _decode(token: str, key, algorithms: list[str], audience: str | None, issuer: str | None = None) -> dict:
    options = {"require": ["exp", "sub"], "verify_aud": audience is not None}
    try:
        return jwt.decode(token, key, algorithms=algorithms, options=options, audience=audience, issuer=issuer)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The token has expired.")
    except jwt.PyJWTError:
        raise Unauthorized("The token is invalid.")


def verify_customer_token(token: str, secret: str) -> Principal:
    claims = _decode(token, secret, ["HS256"], _CUSTOMER_AUDIENCE)
    return Principal(kind="customer", subject=claims["sub"])


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


def _staff_role(claims: dict) -> str:
    candidates = [claims.get("custom:role"), *claims.get("cognito:groups", [])]
    role = next((c for c in candidates if c in STAFF_ROLES), None)
    if role is None:
        raise Unauthorized("The token carries no staff role.")
    return role


def verify_staff_token(token: str, *, secret: str = "", jwks_url: str = "", issuer: str = "", audience: str = "") -> Principal:
    """Cognito (JWKS) when configured, else the dev secret. Neither configured: no staff access."""
    if jwks_url:
        try:
            key = _jwks_client(jwks_url).get_signing_key_from_jwt(token).key
        except jwt.PyJWTError:
            raise Unauthorized("The token is invalid.")
        claims = _decode(token, key, ["RS256"], audience=audience or None, issuer=issuer or None)
    elif secret:
        claims = _decode(token, secret, ["HS256"], _STAFF_AUDIENCE)
    else:
        raise Unauthorized("Staff authentication is not configured.")
    return Principal(kind="staff", subject=claims["sub"], role=_staff_role(claims))
