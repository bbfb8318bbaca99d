"""The API describes itself from the same models that validate requests."""
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
