"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks), reading what seed.py made (FUZZ_SEEDED: a JSON file).

- Credentials follow the security schemes each operation declares in the OpenAPI document (as auth
  providers, so schemathesis knows them for what they are): `staff` an admin token, `customer` (when it
  is the only way in) the seeded shopper's token, `cart_token` the guest cart's X-Cart-Token,
  `payment_signature` a valid signature of the exact body sent. An operation that also takes no token
  is called as a guest.
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


def _requirements(operation) -> list[set[str]]:
    """The operation's security requirements as the API declares them: each a set of scheme names."""
    return [set(requirement) for requirement in operation.definition.raw.get("security", [])]


def _takes(operation, scheme: str) -> bool:
    return any(scheme in requirement for requirement in _requirements(operation))


def _declares(scheme: str):
    """A filter: the operations that declare `scheme`."""

    def matcher(ctx) -> bool:
        return _takes(ctx.operation, scheme)

    matcher.__name__ = f"declares_{scheme}"
    return matcher


def _customer_only(ctx) -> bool:
    return _requirements(ctx.operation) == [{"customer"}]


@schemathesis.auth(refresh_interval=None).apply_to(_declares("staff"))
class StaffToken:
    def get(self, case, ctx):
        return seeded()["admin_token"]

    def set(self, case, token, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


@schemathesis.auth(retry_on=[401]).apply_to(_customer_only)
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


@schemathesis.auth(refresh_interval=None).apply_to(_declares("cart_token"))
class CartToken:
    """A guest's cart: its token (the cart's id is put in the path, see _existing)."""

    def get(self, case, ctx):
        return seeded()["cart_token"]

    def set(self, case, token, ctx):
        case.headers = {**(case.headers or {}), "X-Cart-Token": token}


def _post(path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(seeded()["url"] + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _existing(operation, parameters: dict) -> dict:
    values = seeded()["values"]
    existing = {name: values.get(name, value) for name, value in parameters.items()}
    if "cart_id" in existing and _takes(operation, "cart_token"):
        existing["cart_id"] = seeded()["guest_cart_id"]  # the cart whose token CartToken sends
    return existing


@schemathesis.hook
def flatmap_path_parameters(ctx, parameters):
    if not parameters:
        return st.just(parameters)
    return st.sampled_from([parameters, _existing(ctx.operation, parameters)])


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
    if _takes(case.operation, "payment_signature"):
        try:
            raw = _body_bytes(case.body)
        except (TypeError, ValueError):  # not JSON-serializable as is: sent unsigned
            return
        signature = sign(seeded()["webhook_secret"], int(time.time()), raw)
        case.headers = {**(case.headers or {}), SIGNATURE_HEADER: signature}
