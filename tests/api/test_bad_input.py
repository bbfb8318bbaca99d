"""Whatever a client sends, the answer is a clear 4xx with the error envelope, and nothing is written."""
import time

import jwt
import pytest

from chalicelib.domain.tokens import issue_dev_staff_token
from chalicelib.settings import get_settings

VALID = {"email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}


def _assert_envelope(reply, status, code):
    assert reply.status == status, reply.json
    assert set(reply.json) == {"error"}
    assert reply.json["error"]["code"] == code and reply.json["error"]["message"]
    assert isinstance(reply.json["error"]["details"], list)


def _nothing_written(api, token):
    assert api.get("/admin/customers", token=token).json["items"] == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b""])
def test_malformed_or_non_object_bodies_are_400(api, admin_token, body):
    reply = api.call("POST", "/admin/customers", body=body, token=admin_token)
    _assert_envelope(reply, 400, "bad_request")
    _nothing_written(api, admin_token)


def test_wrong_types_are_422_with_the_fields_named(api, admin_token):
    reply = api.post("/admin/customers", {**VALID, "first_name": 42, "accepts_marketing": "maybe"}, token=admin_token)
    _assert_envelope(reply, 422, "validation_error")
    assert {d["field"] for d in reply.json["error"]["details"]} == {"first_name", "accepts_marketing"}
    _nothing_written(api, admin_token)


def test_unknown_fields_are_422(api, admin_token):
    reply = api.post("/admin/customers", {**VALID, "is_admin": True}, token=admin_token)
    _assert_envelope(reply, 422, "validation_error")
    assert reply.json["error"]["details"][0]["field"] == "is_admin"
    _nothing_written(api, admin_token)


def test_missing_required_fields_and_over_long_strings_are_422(api, admin_token):
    reply = api.post("/admin/customers", {"email": "ann@example.com", "first_name": "x" * 101}, token=admin_token)
    _assert_envelope(reply, 422, "validation_error")
    assert {d["field"] for d in reply.json["error"]["details"]} == {"first_name", "last_name"}


def test_html_in_names_is_refused(api, admin_token):
    reply = api.post("/admin/customers", {**VALID, "last_name": "<img src=x onerror=alert(1)>"}, token=admin_token)
    _assert_envelope(reply, 422, "validation_error")


def test_a_body_over_the_size_limit_is_400(api, admin_token):
    padding = "x" * (get_settings().max_body_bytes + 1)
    reply = api.post("/admin/customers", {**VALID, "comment": padding}, token=admin_token)
    _assert_envelope(reply, 400, "bad_request")
    _nothing_written(api, admin_token)


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=abc", "sort=name"])
def test_bad_list_queries_are_422(api, admin_token, query):
    _assert_envelope(api.get(f"/admin/customers?{query}", token=admin_token), 422, "validation_error")


def test_unknown_route_is_a_json_4xx(api, admin_token):
    reply = api.get("/admin/no-such-thing", token=admin_token)
    assert 400 <= reply.status < 500
    assert isinstance(reply.json, dict)


def test_unknown_status_value_is_422(api, admin_token, new_customer):
    created = new_customer()
    reply = api.patch(f"/admin/customers/{created['id']}", {"status": "deleted"}, token=admin_token)
    _assert_envelope(reply, 422, "validation_error")


def _staff_claims(**overrides):
    now = int(time.time())
    return {"sub": "staff-9", "aud": "shop:staff", "custom:role": "admin", "iat": now, "exp": now + 600, **overrides}


@pytest.mark.parametrize("make_token", [
    lambda secret: None,
    lambda secret: "garbage",
    lambda secret: jwt.encode(_staff_claims(exp=int(time.time()) - 10), secret, algorithm="HS256"),
    lambda secret: jwt.encode(_staff_claims(), "another-secret-of-enough-length-123", algorithm="HS256"),
    lambda secret: jwt.encode(_staff_claims(aud="shop:customer"), secret, algorithm="HS256"),
    lambda secret: jwt.encode(_staff_claims(**{"custom:role": "owner"}), secret, algorithm="HS256"),
    lambda secret: jwt.encode(_staff_claims(), None, algorithm="none"),
], ids=["missing", "garbage", "expired", "wrong-secret", "customer-audience", "unknown-role", "unsigned"])
def test_bad_staff_tokens_are_401(api, make_token):
    token = make_token(get_settings().staff_token_secret)
    reply = api.post("/admin/customers", VALID, token=token)
    _assert_envelope(reply, 401, "unauthorized")


def test_right_token_wrong_role_is_403_and_writes_nothing(api, admin_token):
    support = issue_dev_staff_token("staff-2", "support", get_settings().staff_token_secret)
    _assert_envelope(api.post("/admin/customers", VALID, token=support), 403, "forbidden")
    _nothing_written(api, admin_token)
