"""Shoppers register, log in and manage their own record; nobody else's."""
import time

import jwt

from chalicelib.domain.tokens import issue_customer_token
from chalicelib.settings import get_settings

SHOPPER = {"email": "mia@example.com", "password": "correct horse battery", "first_name": "Mia",
           "last_name": "Wong", "accepts_marketing": True}


def _register(api, **fields):
    reply = api.post("/store/customers", {**SHOPPER, **fields})
    assert reply.status == 201, reply.json
    return reply.json


def _log_in(api, email=SHOPPER["email"], password=SHOPPER["password"]):
    return api.post("/store/login", {"email": email, "password": password})


def test_registration_creates_a_registered_unverified_customer(api, admin_token):
    customer = _register(api)
    assert customer["registered"] is True and customer["email_verified"] is False
    assert customer["status"] == "active" and customer["group_id"] == "default"
    assert "password" not in customer and "password_hash" not in customer
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).json["registered"] is True


def test_password_is_stored_hashed_with_scrypt_never_in_clear(api, aws):
    customer = _register(api)
    from chalicelib.store.models import CustomerItem

    stored = CustomerItem.get(f"CUST#{customer['id']}", "PROFILE").password_hash
    assert stored.startswith("scrypt$") and SHOPPER["password"] not in stored


def test_login_returns_a_token_that_opens_my_record(api):
    customer = _register(api)
    reply = _log_in(api, email="MIA@example.com")
    assert reply.status == 200
    me = api.get("/store/me", token=reply.json["token"])
    assert me.status == 200 and me.json["id"] == customer["id"]
    assert "comment" not in me.json  # staff-only field


def test_wrong_password_and_unknown_email_get_the_same_401(api):
    _register(api)
    wrong = _log_in(api, password="not the password")
    unknown = _log_in(api, email="nobody@example.com")
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json


def test_blocked_customer_cannot_log_in_and_their_token_stops_working(api, admin_token):
    customer = _register(api)
    token = _log_in(api).json["token"]
    assert api.patch(f"/admin/customers/{customer['id']}", {"status": "blocked"}, token=admin_token).status == 200
    assert _log_in(api).status == 403
    assert api.get("/store/me", token=token).status == 403


def test_registering_an_email_twice_is_409(api, new_customer):
    new_customer(email="mia@example.com")
    reply = api.post("/store/customers", SHOPPER)
    assert reply.status == 409 and reply.error_code == "conflict"


def test_patch_me_changes_my_profile_but_not_my_status(api):
    _register(api)
    token = _log_in(api).json["token"]
    reply = api.patch("/store/me", {"first_name": "Mina", "phone": "+44 20 7946 0958"}, token=token)
    assert reply.status == 200 and reply.json["first_name"] == "Mina"
    refused = api.patch("/store/me", {"status": "active", "comment": "hi"}, token=token)
    assert refused.status == 422
    assert {d["field"] for d in refused.json["error"]["details"]} == {"status", "comment"}


def test_a_token_reaches_only_its_own_customer(api):
    mine = _register(api)
    other = _register(api, email="other@example.com")
    token = _log_in(api).json["token"]
    # /store/me follows the token, whatever else the request says
    assert api.get("/store/me", token=token).json["id"] == mine["id"]
    # and a customer token cannot read staff routes for the other customer
    assert api.get(f"/admin/customers/{other['id']}", token=token).status == 401


def test_expired_forged_and_missing_customer_tokens_are_401(api):
    customer = _register(api)
    secret = get_settings().customer_token_secret
    expired = issue_customer_token(customer["id"], secret, ttl_seconds=60, now=time.time() - 3600)
    forged = issue_customer_token(customer["id"], "not-the-secret-at-all-0123456789", 3600)
    unsigned = jwt.encode({"sub": customer["id"], "exp": time.time() + 60}, key="", algorithm="none")
    for token in (expired, forged, unsigned, "not.a.jwt"):
        reply = api.get("/store/me", token=token)
        assert reply.status == 401 and reply.error_code == "unauthorized", token
    assert api.get("/store/me").status == 401
    assert api.call("GET", "/store/me", headers={"Authorization": "Basic abc"}).status == 401


def test_token_of_a_deleted_customer_stops_working(api, admin_token):
    customer = _register(api)
    token = _log_in(api).json["token"]
    api.delete(f"/admin/customers/{customer['id']}", token=admin_token)
    assert api.get("/store/me", token=token).status == 401


def test_registration_validates_its_input(api):
    reply = api.post("/store/customers", {**SHOPPER, "email": "not-an-email", "password": "short",
                                          "first_name": "<script>alert(1)</script>", "phone": "call me"})
    assert reply.status == 422
    fields = {d["field"] for d in reply.json["error"]["details"]}
    assert fields == {"email", "password", "first_name", "phone"}
