"""Shoppers see shopper fields only: every /store route answers with a shopper's view, declared as its
response model in the OpenAPI document, and sends no field that view does not name, however much the
staff records behind it hold (suppliers and cost prices, the agent who prepared a cart, internal notes)."""
import pytest

import chalicelib.api  # noqa: F401  (registers every route)
from chalicelib.api import BLUEPRINTS
from chalicelib.api.routing import ROUTES, resolve
from chalicelib.domain.shopper_views import ShopperView
from tests.api.test_customer_accounts_lifecycle import _verification_link_sent
from tests.support.orders import ADDRESS
from tests.support.world import build_world

_PREFIX = {id(bp): prefix for bp, prefix in BLUEPRINTS}
STORE_ROUTES = [spec for spec in ROUTES if _PREFIX[id(spec.blueprint)] == "/store"]
NEW_SHOPPER = {"email": "cleo@example.com", "password": "another long password", "first_name": "Cleo", "last_name": "Ng"}

# One real request per /store route, in an order that keeps each one valid (the checkout closes the
# guest cart last). Who calls: "customer" (token), "guest" (the guest cart's X-Cart-Token) or nobody.
CALLS = [
    ("GET", "/store/products", None, None),
    ("GET", "/store/products/{sku}", None, None),
    ("POST", "/store/customers", None, NEW_SHOPPER),
    ("POST", "/store/verify-email", None, "verification"),
    ("POST", "/store/login", None, {"email": NEW_SHOPPER["email"], "password": NEW_SHOPPER["password"]}),
    ("PATCH", "/store/me", "customer", {"company": "Ng & Co"}),
    ("GET", "/store/me", "customer", None),
    ("POST", "/store/me/addresses", "customer", {**ADDRESS, "default_billing": True}),
    ("GET", "/store/me/addresses", "customer", None),
    ("GET", "/store/me/orders", "customer", None),
    ("POST", "/store/carts", None, {"attribution": {"channel": "newsletter", "campaign": "spring"}}),
    ("GET", "/store/carts/{cart_id}", "guest", None),
    ("POST", "/store/carts/{cart_id}/items", "guest", {"sku": "TEA-01", "quantity": 2}),
    ("PATCH", "/store/carts/{cart_id}/items/{sku}", "guest", {"quantity": 3}),
    ("POST", "/store/carts/{cart_id}/coupon", "guest", {"code": "SPRING10"}),
    ("DELETE", "/store/carts/{cart_id}/coupon", "guest", None),
    ("DELETE", "/store/carts/{cart_id}/items/{sku}", "guest", None),
    ("GET", "/store/checkout-links/{token}", None, None),
    ("POST", "/store/carts/{cart_id}/checkout", "guest", {
        "email": "gus@example.com", "payment_method": "wire_transfer", "shipping_address": ADDRESS}),
]


def _resolve_ref(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _undeclared(document: dict, value, schema: dict, where: str) -> list[str]:
    """Keys of `value`, at any depth, that its schema (from the OpenAPI document) does not declare."""
    schema = _resolve_ref(document, schema)
    options = [_resolve_ref(document, s) for s in schema.get("anyOf", [])] or [schema]
    if isinstance(value, list):
        items = next((o["items"] for o in options if "items" in o), {})
        return [key for i, item in enumerate(value) for key in _undeclared(document, item, items, f"{where}[{i}]")]
    if not isinstance(value, dict):
        return []
    declared = next((o for o in options if "properties" in o), None)
    if declared is None:  # a free-form object (custom fields, a schedule): its keys are the shopper's own
        return []
    found = [f"{where}.{key}" for key in value if key not in declared["properties"]]
    return found + [k for key, item in value.items() if key in declared["properties"]
                    for k in _undeclared(document, item, declared["properties"][key], f"{where}.{key}")]


@pytest.fixture
def world(api, admin_token):
    world = build_world(api, admin_token)
    # The staff records behind the shopper's answers hold what shoppers must not see
    assert api.post(f"/admin/customers/{world.ids['customer_id']}/tags", {"tag": "difficult"}, token=admin_token).status == 200
    return world


def test_every_store_route_answers_with_a_shopper_view(api):
    # Given every /store route of the registry
    assert len(STORE_ROUTES) >= 19
    # Then each declares a shopper's view as its answer (a page of them for lists), in the OpenAPI document too
    document = api.get("/openapi.json").json
    for spec in STORE_ROUTES:
        declared = spec.response
        model = declared.__args__[0] if getattr(declared, "__args__", None) else declared
        model = resolve(model) if isinstance(model, str) else model
        assert isinstance(model, type) and issubclass(model, ShopperView), spec.path
        schema = document["components"]["schemas"][model.__name__]
        assert schema["additionalProperties"] is False, spec.path
    # And every one of them is called below with real data
    assert sorted((s.method, "/store" + s.path) for s in STORE_ROUTES) == sorted((m, p) for m, p, _, _ in CALLS)


def test_store_answers_carry_only_the_fields_of_their_shopper_view(api, admin_token, world):
    # Given a shop whose staff records hold suppliers, cost prices, tags, agents, internal comments,
    # and which sends new accounts a verification email
    assert api.patch("/admin/settings", {"require_email_verification": True}, token=admin_token).status == 200
    document = api.get("/openapi.json").json
    tokens = {"customer": None}
    answers = {}
    for method, template, caller, body in CALLS:
        # When each /store route is called as a shopper would
        path = world.path(template.replace("{sku}", "TEA-01" if "carts" in template else "{sku}"))
        headers, token = {}, None
        if caller == "guest":
            headers["X-Cart-Token"] = world.cart_token
        elif caller == "customer":
            token = tokens["customer"]
        if body == "verification":
            body = {"token": _verification_link_sent(answers["POST /store/customers"]["id"])}
        reply = api.call(method, path, json=body, token=token, headers=headers)
        assert 200 <= reply.status < 300, (method, path, reply.json)
        answers[f"{method} {template}"] = reply.json
        if template == "/store/login":
            tokens["customer"] = reply.json["token"]
        # Then every field of the answer, at any depth, is declared by the route's shopper view
        operation = document["paths"][template][method.lower()]
        schema = operation["responses"][str(reply.status)]["content"]["application/json"]["schema"]
        assert _undeclared(document, reply.json, schema, "answer") == [], (method, template)

    # And the staff-only facts behind them are nowhere in those answers
    product = answers["GET /store/products/{sku}"]
    assert product["sku"] == "MUG-01" and "suppliers" not in product
    assert all("suppliers" not in p for p in answers["GET /store/products"]["items"])
    opened = answers["GET /store/checkout-links/{token}"]
    assert opened["cart"]["attribution"] == {"channel": "agent"}  # not the agent's id
    assert opened["customer"] == {"email": "ann.smith@example.com", "first_name": "Ann", "last_name": "Smith",
                                  "phone": "+44 20 7946 0000"}
    me = answers["GET /store/me"]
    assert me["company"] == "Ng & Co" and not {"comment", "tags", "stats", "has_test_orders"} & set(me)
    order = answers["POST /store/carts/{cart_id}/checkout"]
    assert order["total"] > 0 and not {"attribution", "flags", "customer_group_id"} & set(order)
    created = answers["POST /store/carts"]
    assert created["attribution"] == {"channel": "newsletter", "campaign": "spring"} and created["cart_token"]
