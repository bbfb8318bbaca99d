"""OpenAPI 3.1 document built from the route registry and the same pydantic models that validate."""
import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api.routing import ROUTES, RouteSpec

_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": "#/components/schemas/ErrorEnvelope"}
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "array", "items": {}}}}},
}


def _response_schema(response: Any, defs: dict) -> dict | None:
    if response is None:
        return None
    args = getattr(response, "__args__", None)
    if args and issubclass(args[0], BaseModel):  # list[Model] -> a page of Model
        return {"type": "object", "required": ["items", "next_token"], "properties": {
            "items": {"type": "array", "items": {"$ref": _REF.format(model=args[0].__name__)}},
            "next_token": {"type": ["string", "null"]}}}
    schema = TypeAdapter(response).json_schema(ref_template=_REF)
    defs.update(schema.pop("$defs", {}))
    return schema if not issubclass(response, BaseModel) else {"$ref": _REF.format(model=response.__name__)}


def _operation(spec: RouteSpec, defs: dict) -> dict:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{(\w+)}", spec.path)]
    if spec.query is not None:
        props = spec.query.model_json_schema()["properties"]
        params += [{"name": name, "in": "query", "required": False, "schema": prop} for name, prop in props.items()]
    op: dict[str, Any] = {"summary": spec.summary, "tags": [spec.tag], "parameters": params, "responses": {}}
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": _REF.format(model=spec.body.__name__)}}}}
    ok: dict[str, Any] = {"description": "OK"}
    schema = _response_schema(spec.response, defs)
    if schema is not None:
        ok["content"] = {"application/json": {"schema": schema}}
    op["responses"][str(spec.status)] = ok
    for code in ("400", "401", "403", "404", "409", "422"):
        op["responses"][code] = {"description": "Error", "content": {"application/json": {"schema": _ERROR}}}
    if spec.access.kind != "public":
        op["security"] = [{"bearer": []}]
        op["x-access"] = {"kind": spec.access.kind, "roles": list(spec.access.roles)}
    return op


def openapi_document(blueprints: tuple) -> dict:
    """`blueprints`: the (blueprint, url_prefix) pairs that app.py registers."""
    prefixes = {id(bp): prefix for bp, prefix in blueprints}
    models = {m for spec in ROUTES for m in (spec.body, spec.query, getattr(spec.response, "__args__", [spec.response])[0])
              if isinstance(m, type) and issubclass(m, BaseModel)}
    _, top = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)], ref_template=_REF)
    defs = dict(top.get("$defs", {}))
    paths: dict[str, dict] = {}
    for spec in ROUTES:
        full = prefixes.get(id(spec.blueprint), "") + spec.path
        paths.setdefault(full, {})[spec.method.lower()] = _operation(spec, defs)
    defs["ErrorEnvelope"] = _ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "Shop backend", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": defs, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
