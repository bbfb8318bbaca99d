"""The API describes itself from the same models that validate requests."""
import json

from openapi_spec_validator import validate

from chalicelib.api.routing import ROUTES


def test_openapi_document_is_valid_and_lists_every_route(api):
    reply = api.get("/openapi.json")
    assert reply.status == 200
    document = reply.json
    validate(document)
    listed = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert ("POST", "/admin/customers") in listed and ("GET", "/store/me") in listed
    assert len(listed) == len(ROUTES)


def test_openapi_request_schemas_are_the_validation_models(api):
    document = api.get("/openapi.json").json
    schema = document["components"]["schemas"]["CustomerDraft"]
    assert set(schema["required"]) == {"email", "first_name", "last_name"}
    assert schema["additionalProperties"] is False
    create = document["paths"]["/admin/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CustomerDraft")
    listing = document["paths"]["/admin/customers"]["get"]
    assert {"q", "address", "group", "tag", "status", "limit", "next_token"} <= {p["name"] for p in listing["parameters"]}


def _operations(document):
    return [(method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_openapi_declares_who_may_call_each_route(api):
    # Given the document's security schemes
    document = api.get("/openapi.json").json
    schemes = document["components"]["securitySchemes"]
    assert schemes["cart_token"] == {**schemes["cart_token"], "type": "apiKey", "in": "header", "name": "X-Cart-Token"}
    assert schemes["payment_signature"]["name"] == "Payment-Signature"
    assert schemes["staff"]["scheme"] == schemes["customer"]["scheme"] == "bearer"
    operations = {(method, path): op for method, path, op in _operations(document)}
    # Then each route names the schemes that open it
    links = {("GET", "/admin/reports/links/{link_id}")}  # a report file's link in a staff email: its random id is the key
    assert all(op["security"] == [{"staff": []}] for (method, path), op in operations.items()
               if path.startswith("/admin/") and (method, path) not in links)
    assert operations[("GET", "/store/me")]["security"] == [{"customer": []}]
    assert operations[("POST", "/store/carts")]["security"] == [{"customer": []}, {}]  # a guest needs no token
    for (method, path), op in operations.items():
        if path.startswith("/store/carts/"):
            assert op["security"] == [{"customer": []}, {"cart_token": []}], (method, path)
    for public in (("GET", "/store/products"), ("POST", "/store/login"), ("GET", "/store/checkout-links/{token}"),
                   ("GET", "/openapi.json"), *links):
        assert operations[public]["security"] == [], public
    assert operations[("POST", "/webhooks/payments")]["security"] == [{"payment_signature": []}]


def test_openapi_declares_the_idempotency_key_on_every_creating_post(api):
    document = api.get("/openapi.json").json
    creating = [(path, op) for method, path, op in _operations(document) if method == "POST" and "201" in op["responses"]]
    assert len(creating) >= 15
    for path, op in creating:
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
    others = [path for _, path, op in _operations(document) if "201" not in op["responses"]
              and any(p["name"] == "Idempotency-Key" for p in op["parameters"])]
    assert others == []


def test_openapi_declares_the_gone_and_rate_limited_answers_where_routes_give_them(api):
    paths = api.get("/openapi.json").json["paths"]
    assert "410" in paths["/store/checkout-links/{token}"]["get"]["responses"]
    assert "429" in paths["/admin/customers/{customer_id}/resend-verification"]["post"]["responses"]
    assert "410" not in paths["/store/products"]["get"]["responses"]


def test_openapi_declares_the_payment_webhooks_body(api):
    document = api.get("/openapi.json").json
    body = document["paths"]["/webhooks/payments"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/PaymentEvent")
    assert set(document["components"]["schemas"]["PaymentEvent"]["required"]) == {"id", "type", "order_id", "amount", "currency"}


def test_openapi_offers_null_in_a_change_only_where_the_record_takes_it(api):
    schema = api.get("/openapi.json").json["components"]["schemas"]["CustomerChanges"]["properties"]
    for field in ("first_name", "last_name", "email", "status", "accepts_marketing", "group_id", "custom_fields"):
        assert "null" not in json.dumps(schema[field]), field
    assert {"type": "null"} in schema["phone"]["anyOf"]


def test_openapi_every_list_takes_limit_and_next_token(api):
    document = api.get("/openapi.json").json
    lists = [(path, op) for method, path, op in _operations(document)
             if "next_token" in json.dumps(op["responses"].get("200", {}))]
    assert len(lists) >= 25
    for path, op in lists:
        assert {"limit", "next_token"} <= {p["name"] for p in op["parameters"] if p["in"] == "query"}, path
