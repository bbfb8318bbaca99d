"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks), reading what seed.py made (FUZZ_SEEDED: a JSON file).

- Staff routes get an admin token, /store/me routes a customer token (as auth providers, so schemathesis
  knows them for what they are); cart routes of the storefront the guest cart's X-Cart-Token; the payment
  webhook a valid signature of the exact body sent.
- Path parameters are, in half of the cases, ids of objects that exist, so that the fuzzer reaches past
  the 404 into the handlers."""
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from functools import lru_cache

import schemathesis
from hypothesis import strategies as st
from schemathesis.core import NotSet

from chalicelib.domain.payments import SIGNATURE_HEADER, sign


@lru_cache(maxsize=1)
def seeded() -> dict:
    with open(os.environ["FUZZ_SEEDED"]) as file:
        return json.load(file)


@schemathesis.auth(refresh_interval=None).apply_to(path_regex="^/admin/")
class StaffToken:
    def get(self, case, ctx):
        return seeded()["admin_token"]

    def set(self, case, token, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@schemathesis.auth(retry_on=[401]).apply_to(path_regex="^/store/me")
class CustomerToken:
    """The seeded shopper's token; once the fuzzer has deleted that customer (a 401), a new shopper's."""

    def get(self, case, ctx):
        shopper = seeded()["shopper"]
        status, reply = _post("/store/login", shopper)
        if status == 401:
            shopper = {**shopper, "email": f"shopper-{uuid.uuid4().hex[:12]}@example.com"}
            _post("/store/customers", {**shopper, "first_name": "Sam", "last_name": "Fuzz"})
            status, reply = _post("/store/login", shopper)
        return reply["token"]

    def set(self, case, token, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def _post(path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(seeded()["url"] + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _existing(path: str, parameters: dict) -> dict:
    values = seeded()["values"]
    existing = {name: values.get(name, value) for name, value in parameters.items()}
    if path.startswith("/store/carts/"):
        existing["cart_id"] = seeded()["guest_cart_id"]
    return existing


@schemathesis.hook
def flatmap_path_parameters(ctx, parameters):
    if not parameters:
        return st.just(parameters)
    return st.sampled_from([parameters, _existing(ctx.operation.path, parameters)])


def _body_bytes(body) -> bytes:
    """The bytes `requests` sends: none without a body; a JSON body is passed as `json=` (None as b"null")."""
    if isinstance(body, NotSet):
        return b""
    if isinstance(body, bytes):
        return body
    if body is None:
        return b"null"
    return json.dumps(body, allow_nan=False).encode()


@schemathesis.hook
def before_call(ctx, case, kwargs):
    path = case.operation.path
    if path.startswith("/store/carts/"):
        case.headers = {"X-Cart-Token": seeded()["cart_token"], **(case.headers or {})}
    elif path == "/webhooks/payments":
        try:
            raw = _body_bytes(case.body)
        except (TypeError, ValueError):  # not JSON-serializable as is: sent unsigned
            return
        signature = sign(seeded()["webhook_secret"], int(time.time()), raw)
        case.headers = {**(case.headers or {}), SIGNATURE_HEADER: signature}
