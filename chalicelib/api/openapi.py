"""OpenAPI 3.1 document built from the route registry and the same models that validate requests
(pydantic; msgspec for the report queries) or shape responses (dataclasses and pydantic models alike,
through pydantic's TypeAdapter)."""
import dataclasses
import re
from typing import Any, Literal

import msgspec
from pydantic import TypeAdapter

from chalicelib.api.routing import ROUTES, RouteSpec, resolve

_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": "#/components/schemas/ErrorEnvelope"}
_COMMON_ERRORS = (400, 401, 403, 404, 409, 422)
SECURITY_SCHEMES = {
    "staff": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
              "description": "A staff token with a role (admin, agent or support): Cognito's in AWS, `make token` locally."},
    "customer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                 "description": "A customer token: POST /store/login, or an opened checkout link."},
    "cart_token": {"type": "apiKey", "in": "header", "name": "X-Cart-Token",
                   "description": "A guest cart's secret `cart_token`, given when POST /store/carts creates it."},
    "payment_signature": {"type": "apiKey", "in": "header", "name": "Payment-Signature",
                          "description": "t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<raw body>' with the webhook key>"},
}
_IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "minLength": 1},
                    "description": "The same key from the same caller returns the first answer instead of creating again (24 h)."}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "array", "items": {}}}}},
}


def _class(reference: Any) -> type:
    return resolve(reference) if isinstance(reference, str) else reference


def _schema_ref(model: type, defs: dict, mode: Literal["validation", "serialization"]) -> dict:
    """Put the model (and the models it uses) into `defs`; return a $ref to it."""
    schema = TypeAdapter(model).json_schema(ref_template=_REF, mode=mode)
    defs.update(schema.pop("$defs", {}))
    private = [f.name for f in dataclasses.fields(model) if f.metadata.get("private")] if dataclasses.is_dataclass(model) else []
    for name in private:  # never shown to clients (see routing.to_json); optional, so never required
        schema["properties"].pop(name, None)
    defs[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _query_properties(model: type) -> dict[str, Any]:
    if issubclass(model, msgspec.Struct):
        return msgspec.json.schema_components([model])[1][model.__name__]["properties"]
    return TypeAdapter(model).json_schema()["properties"]


def _response_schema(response: Any, defs: dict) -> dict | None:
    if response is None:
        return None
    args = getattr(response, "__args__", None)
    if args:  # list[Model]: a page of Model
        return {"type": "object", "required": ["items", "next_token"], "properties": {
            "items": {"type": "array", "items": _schema_ref(_class(args[0]), defs, "serialization")},
            "next_token": {"type": ["string", "null"]}}}
    return _schema_ref(_class(response), defs, "serialization")


def _security(spec: RouteSpec) -> list[dict]:
    """Who may call: the schemes of routing.Access (an empty requirement: anyone, without a token)."""
    access = spec.access
    if access.kind == "staff":
        return [{"staff": []}]
    if access.kind == "customer":
        return [{"customer": []}]
    if access.kind == "shopper":
        return [{"customer": []}, {"cart_token": []}] if access.cart_token else [{"customer": []}, {}]
    if access.kind == "signed":
        return [{"payment_signature": []}]
    return []


def _operation(spec: RouteSpec, defs: dict) -> dict:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{(\w+)}", spec.path)]
    if spec.query is not None:
        props = _query_properties(resolve(spec.query))
        params += [{"name": name, "in": "query", "required": False, "schema": prop} for name, prop in props.items()]
    if spec.method == "POST" and spec.status == 201:
        params.append(_IDEMPOTENCY_KEY)
    op: dict[str, Any] = {"summary": spec.summary, "tags": [spec.tag], "parameters": params, "responses": {}}
    body = spec.body or spec.raw_body
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _schema_ref(resolve(body), defs, "validation")}}}
    ok: dict[str, Any] = {"description": "OK"}
    if spec.status == 302:
        ok = {"description": "Found: the resource is at `Location`", "headers": {"Location": {"schema": {"type": "string"}}}}
    schema = _response_schema(spec.response, defs)
    if schema is not None:
        ok["content"] = {"application/json": {"schema": schema}}
    op["responses"][str(spec.status)] = ok
    for code in sorted({*_COMMON_ERRORS, *spec.statuses}):
        op["responses"][str(code)] = {"description": "Error", "content": {"application/json": {"schema": _ERROR}}}
    op["security"] = _security(spec)
    op["x-access"] = {"kind": spec.access.kind, "roles": list(spec.access.roles)}
    return op


def openapi_document(blueprints: tuple) -> dict:
    """`blueprints`: the (blueprint, url_prefix) pairs that app.py registers."""
    prefixes = {id(bp): prefix for bp, prefix in blueprints}
    defs: dict[str, Any] = {"ErrorEnvelope": _ERROR_SCHEMA}
    paths: dict[str, dict] = {}
    for spec in ROUTES:
        full = prefixes.get(id(spec.blueprint), "") + spec.path
        paths.setdefault(full, {})[spec.method.lower()] = _operation(spec, defs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop backend", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": defs,
                       "securitySchemes": SECURITY_SCHEMES},
    }
