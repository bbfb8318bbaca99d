"""Staff tokens from Cognito (RS256 + JWKS) and the dev secret; customer tokens of our own."""
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.tokens import issue_customer_token, verify_customer_token, verify_staff_token

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"


@pytest.fixture
def cognito(monkeypatch):
    """A stand-in user pool: an RSA key whose public half is served as the pool's JWKS."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = {"keys": [{**public, "kid": "pool-key", "alg": "RS256", "use": "sig"}]}
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks)

    def issue(**claims):
        now = int(time.time())
        body = {"sub": "staff-7", "iss": ISSUER, "token_use": "access", "iat": now, "exp": now + 600, **claims}
        return jwt.encode(body, key, algorithm="RS256", headers={"kid": "pool-key"})

    return issue


def test_cognito_token_with_group_gives_the_role(cognito):
    principal = verify_staff_token(cognito(**{"cognito:groups": ["agent"]}), jwks_url=JWKS_URL, issuer=ISSUER)
    assert principal.kind == "staff" and principal.role == "agent" and principal.subject == "staff-7"


def test_cognito_token_from_another_issuer_or_without_role_is_refused(cognito):
    with pytest.raises(Unauthorized):
        verify_staff_token(cognito(iss="https://evil.example.com", **{"cognito:groups": ["admin"]}),
                           jwks_url=JWKS_URL, issuer=ISSUER)
    with pytest.raises(Unauthorized):
        verify_staff_token(cognito(), jwks_url=JWKS_URL, issuer=ISSUER)


def test_hs256_token_is_refused_when_cognito_is_configured(cognito):
    forged = jwt.encode({"sub": "x", "exp": time.time() + 60, "cognito:groups": ["admin"]},
                        "secret-guess-0123456789abcdef-0123456789",
                        algorithm="HS256", headers={"kid": "pool-key"})
    with pytest.raises(Unauthorized):
        verify_staff_token(forged, jwks_url=JWKS_URL, issuer=ISSUER)


def test_no_staff_auth_configured_means_no_access():
    with pytest.raises(Unauthorized):
        verify_staff_token("anything")


def test_customer_token_round_trip_and_expiry():
    secret = "customer-secret-0123456789abcdef"
    assert verify_customer_token(issue_customer_token("C1", secret, 60), secret).subject == "C1"
    with pytest.raises(Unauthorized):
        verify_customer_token(issue_customer_token("C1", secret, 60, now=time.time() - 120), secret)


SECRET = "hs256-secret-0123456789abcdef-0123456789"


def test_our_hs256_tokens_and_pyjwt_agree_both_ways():
    from chalicelib.domain.tokens import decode_hs256, encode_hs256

    claims = {"sub": "C9", "aud": "shop:customer", "exp": int(time.time()) + 60, "name": "Zoë"}
    assert jwt.decode(encode_hs256(claims, SECRET), SECRET, algorithms=["HS256"], audience="shop:customer") == claims
    assert decode_hs256(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET, "shop:customer") == claims


@pytest.mark.parametrize("forge", [
    lambda c: jwt.encode(c, None, algorithm="none"),
    lambda c: jwt.encode(c, SECRET, algorithm="HS512"),
    lambda c: jwt.encode(c, "wrong-secret-0123456789abcdef-0123456789", algorithm="HS256"),
    lambda c: jwt.encode(c, SECRET, algorithm="HS256")[:-2] + "xx",
    lambda c: ".".join([jwt.encode(c, SECRET, algorithm="HS256").split(".")[0],
                        jwt.encode({**c, "sub": "admin"}, SECRET, algorithm="HS256").split(".")[1],
                        jwt.encode(c, SECRET, algorithm="HS256").split(".")[2]]),
    lambda c: jwt.encode({**c, "aud": "shop:staff"}, SECRET, algorithm="HS256"),
    lambda c: jwt.encode({k: v for k, v in c.items() if k != "exp"}, SECRET, algorithm="HS256"),
    lambda c: "a.b", lambda c: "a.b.c.d", lambda c: "###.###.###",
], ids=["none", "hs512", "wrong-secret", "bad-signature", "swapped-payload", "other-audience", "no-exp",
        "two-parts", "four-parts", "not-base64"])
def test_forged_or_malformed_hs256_tokens_are_refused(forge):
    claims = {"sub": "C9", "aud": "shop:customer", "exp": int(time.time()) + 60}
    with pytest.raises(Unauthorized):
        verify_customer_token(forge(claims), SECRET)
