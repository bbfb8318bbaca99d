"""An Idempotency-Key makes a create safe to retry, for its caller only: the same key from the same
caller gets the first answer again; anybody else's request with that key runs as their own; a
repeat while the first still runs is a 409 and runs nothing."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS

PASSWORD = "a long enough password"
PARIS = {"line1": "12 Rue de Rivoli", "city": "Paris", "zip": "75001", "country": "FR"}


def _customer_ids(api, admin_token) -> list[str]:
    return [c["id"] for c in api.get("/admin/customers?limit=50", token=admin_token).json["items"]]


def _shopper(api, email: str) -> str:
    assert api.post("/store/customers", {"email": email, "password": PASSWORD, "first_name": "Lea",
                                         "last_name": "Roy"}).status == 201
    return api.post("/store/login", {"email": email, "password": PASSWORD}).json["token"]


def test_another_staff_members_key_runs_their_own_request(api, admin_token):
    # Given Ann created a customer with the key "call-1"
    ann, bob = staff_token("admin", "ann"), staff_token("admin", "bob")
    first = api.post("/admin/customers", {"email": "x@example.com", "first_name": "X", "last_name": "Ann"}, token=ann,
                     headers={"Idempotency-Key": "call-1"})
    # When Bob creates another customer with the same key
    second = api.post("/admin/customers", {"email": "y@example.com", "first_name": "Y", "last_name": "Bob"}, token=bob,
                      headers={"Idempotency-Key": "call-1"})
    # Then Bob's customer is created, not Ann's answer replayed
    assert (first.status, second.status) == (201, 201)
    assert second.json["email"] == "y@example.com" and second.json["id"] != first.json["id"]
    assert sorted(_customer_ids(api, admin_token)) == sorted([first.json["id"], second.json["id"]])
    # And Ann's retry still gets her own answer
    again = api.post("/admin/customers", {"email": "x@example.com", "first_name": "X", "last_name": "Ann"}, token=ann,
                     headers={"Idempotency-Key": "call-1"})
    assert (again.status, again.json) == (201, first.json)


def test_another_customers_key_runs_their_own_request(api):
    # Given Lea added an address with the key "addr-1"
    lea, max_ = _shopper(api, "lea@example.com"), _shopper(api, "max@example.com")
    first = api.post("/store/me/addresses", PARIS, token=lea, headers={"Idempotency-Key": "addr-1"})
    # When Max adds one of his own with the same key
    second = api.post("/store/me/addresses", {**PARIS, "line1": "1 Quai Voltaire"}, token=max_,
                      headers={"Idempotency-Key": "addr-1"})
    # Then each has their own address, and nobody sees the other's
    assert (first.status, second.status) == (201, 201) and second.json["line1"] == "1 Quai Voltaire"
    assert [a["line1"] for a in api.get("/store/me/addresses", token=max_).json["items"]] == ["1 Quai Voltaire"]
    assert [a["line1"] for a in api.get("/store/me/addresses", token=lea).json["items"]] == ["12 Rue de Rivoli"]


def test_a_registration_with_somebody_elses_key_is_their_own(api, admin_token):
    # Given Lea registered with the key "signup" (a storefront that sends a poor key)
    first = api.post("/store/customers", {"email": "lea@example.com", "password": PASSWORD, "first_name": "Lea",
                                          "last_name": "Roy"}, headers={"Idempotency-Key": "signup"})
    # When Max registers with the same key
    second = api.post("/store/customers", {"email": "max@example.com", "password": PASSWORD, "first_name": "Max",
                                           "last_name": "Roy"}, headers={"Idempotency-Key": "signup"})
    # Then Max gets his own account, never Lea's record
    assert (first.status, second.status) == (201, 201)
    assert second.json["email"] == "max@example.com" and second.json["id"] != first.json["id"]
    assert len(_customer_ids(api, admin_token)) == 2


def test_a_guest_checkout_is_replayed_only_to_the_holder_of_its_cart_token(api, catalogue):
    # Given a guest checked out their cart with the key "pay-1"
    cart = api.post("/store/carts", {}).json
    mine = {"X-Cart-Token": cart["cart_token"], "Idempotency-Key": "pay-1"}
    assert api.post(f"/store/carts/{cart['id']}/items", {"sku": "MUG-01", "quantity": 1},
                    headers={"X-Cart-Token": cart["cart_token"]}).status == 200
    body = {"email": "gus@example.com", "payment_method": "card", "shipping_address": {**ADDRESS, "name": "Gus"}}
    order = api.post(f"/store/carts/{cart['id']}/checkout", body, headers=mine)
    assert order.status == 201
    # When someone who knows the cart id and the key, but not the cart token, sends the same request
    stranger = api.post(f"/store/carts/{cart['id']}/checkout", body, headers={"Idempotency-Key": "pay-1"})
    forged = api.post(f"/store/carts/{cart['id']}/checkout", body,
                      headers={"Idempotency-Key": "pay-1", "X-Cart-Token": "not-the-token"})
    # Then they get no order: the cart answers only to its token
    assert (stranger.status, forged.status) == (404, 404)
    assert "Gus" not in stranger.body.decode() + forged.body.decode()
    # And the guest's own retry gets their order again
    assert api.post(f"/store/carts/{cart['id']}/checkout", body, headers=mine).json == order.json


def test_a_repeat_while_the_first_request_runs_is_a_409_and_runs_nothing(api, admin_token, monkeypatch):
    from chalicelib.services import customers

    # Given a create that is still running when the client, impatient, sends it again
    body = {"email": "x@example.com", "first_name": "X", "last_name": "Y"}
    headers = {"Idempotency-Key": "call-7"}
    real_create, repeats = customers.create_customer, []

    def slow_create(draft, actor):
        if not repeats:
            repeats.append(api.post("/admin/customers", {**body, "email": "other@example.com"}, token=admin_token,
                                    headers=headers))
        return real_create(draft, actor)

    monkeypatch.setattr(customers, "create_customer", slow_create)
    # When the first one completes
    first = api.post("/admin/customers", body, token=admin_token, headers=headers)
    # Then the repeat was told to retry later, and only the first one's customer exists
    [repeat] = repeats
    assert (repeat.status, repeat.error_code) == (409, "conflict")
    assert first.status == 201 and _customer_ids(api, admin_token) == [first.json["id"]]
    # And once it is done, the repeat gets the first answer
    assert api.post("/admin/customers", body, token=admin_token, headers=headers).json == first.json


@pytest.mark.parametrize("minutes, status", [(0.5, 409), (2, 201)])
def test_a_claim_left_by_a_request_that_died_is_taken_over_after_a_minute(api, admin_token, monkeypatch, clock, minutes,
                                                                          status):
    from chalicelib.services import customers

    # Given a create whose invocation died while it ran (its claim on the key was never released)
    body = {"email": "x@example.com", "first_name": "X", "last_name": "Y"}
    headers = {"Idempotency-Key": "call-9"}
    real_create = customers.create_customer

    def dying(draft, actor):
        raise SystemExit("the invocation died")

    monkeypatch.setattr(customers, "create_customer", dying)
    with pytest.raises(SystemExit):
        api.post("/admin/customers", body, token=admin_token, headers=headers)
    monkeypatch.setattr(customers, "create_customer", real_create)
    # When the client retries, some time later
    clock.advance(minutes=minutes)
    retry = api.post("/admin/customers", body, token=admin_token, headers=headers)
    # Then within the minute it is told to wait; after it, the retry runs
    assert retry.status == status
    assert len(_customer_ids(api, admin_token)) == (1 if status == 201 else 0)
