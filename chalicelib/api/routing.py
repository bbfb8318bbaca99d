"""The one place where HTTP meets the services.

`route(...)` registers a Chalice route that authenticates the caller, parses the body and query
with pydantic models, calls the handler, and turns results and domain errors into JSON responses
with the error envelope of API.md. The same registry feeds GET /openapi.json.

Models are named as "module:Class" and imported on a route's first call: importing the app (a cold
start) loads no validation library, and a route that validates nothing never loads it. A query model
is a pydantic model, or a msgspec Struct with the same `model_validate` (the report queries: see
domain/reports_queries.py). Handlers
annotate `body` and `query` with the same classes, imported under TYPE_CHECKING, so that the type
checker and the import contracts see them (a test checks that reference and annotation agree).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import json
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.domain import errors
from chalicelib.domain.pages import Page
from chalicelib.domain.records import Redirect
from chalicelib.domain.tokens import STAFF_ROLES, Principal, verify_customer_token, verify_staff_token
from chalicelib.logs import logger
from chalicelib.settings import get_settings

LIST_QUERY = "chalicelib.domain.base:ListQuery"
# A path (or a method) no route has is answered before the app runs, by API Gateway (a gateway response,
# infra/) or by the local stack's server (devstack): the same 404 in the error envelope, in both.
UNKNOWN_ROUTE = (404, "not_found", "No route matches this method and path.")
_MAX_PATH_PARAM_BYTES = 1024
_STATUS = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.InvalidInput: 422,
    errors.TooManyRequests: 429,
}


@dataclass(frozen=True)
class Access:
    """Who may call a route: nobody in particular, a customer, or staff with one of some roles. The
    OpenAPI document declares it as the route's security schemes."""

    # "public" | "signed" (public; the service checks the payment provider's signature) | "customer" |
    # "shopper" (a customer token if any) | "staff"
    kind: str
    roles: tuple[str, ...] = ()
    cart_token: bool = False  # a guest shows the cart's X-Cart-Token (the handler reads it)


PUBLIC = Access("public")
SIGNED = Access("signed")
CUSTOMER = Access("customer")
SHOPPER = Access("shopper")  # a guest (principal None) or a customer with a valid token
CART_HOLDER = Access("shopper", cart_token=True)  # a customer's token, or a guest's X-Cart-Token
ANY_STAFF = Access("staff", STAFF_ROLES)
_AUTHENTICATED = ("customer", "shopper", "staff")  # the kinds whose handlers receive `principal`


def staff(*roles: str) -> Access:
    return Access("staff", roles)


@dataclass
class RouteSpec:
    blueprint: Blueprint
    path: str
    method: str
    access: Access
    summary: str
    body: str | None  # "module:Class" of a pydantic model
    query: str | None
    response: Any  # a class or "module:Class"; list[...] (page_of) for a page of them
    status: int
    tag: str
    handler: Callable  # the function the route calls (its annotations name the models it receives)
    statuses: tuple[int, ...] = ()  # error statuses the route answers beyond the common ones (410, 429)
    raw_body: str | None = None  # "module:Class" of the body a handler reads raw (to check a signature first)


ROUTES: list[RouteSpec] = []


@functools.cache
def resolve(reference: str) -> Any:
    """The class a "module:Class" reference names (a pydantic model or a dataclass)."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def _status_of(error: errors.DomainError) -> int:
    return next((_STATUS[cls] for cls in type(error).__mro__ if cls in _STATUS), 400)


def _error_envelope(error: errors.DomainError) -> Response:
    return error_response(_status_of(error), error.code, error.message, error.details)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=json.dumps(body, separators=(",", ":")), status_code=status,
                    headers={"Content-Type": "application/json"})


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return json_response({"error": {"code": code, "message": message, "details": details or []}}, status)


def _validation_error(error: Exception) -> errors.InvalidInput | None:
    """Our 422 for a pydantic ValidationError (raised by a route's models or a service's); else None.
    Nothing can be one while pydantic is not loaded."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None or not isinstance(error, pydantic.ValidationError):
        return None
    details = [{"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"], "type": e["type"]}
               for e in error.errors(include_url=False, include_input=False)]
    return errors.InvalidInput("The request is not valid.", details)


def _authenticate(request, access: Access) -> Principal | None:
    header = request.headers.get("authorization", "")
    if access.kind == "shopper" and not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("A bearer token is required.")
    settings = get_settings()
    if access.kind in ("customer", "shopper"):
        return verify_customer_token(token.strip(), settings.customer_token_secret)
    principal = verify_staff_token(token.strip(), secret=settings.staff_token_secret, jwks_url=settings.cognito_jwks_url,
                                   issuer=settings.cognito_issuer, audience=settings.cognito_audience)
    if principal.role not in access.roles:
        raise errors.Forbidden(f"The role '{principal.role}' may not do this.")
    return principal


def _parse_body(request, model: str):
    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise errors.BadRequest(f"The body is larger than {get_settings().max_body_bytes} bytes.")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise errors.BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise errors.BadRequest("The body must be a JSON object.")
    return resolve(model).model_validate(data)


def to_json(value: Any) -> Any:
    """What a result looks like on the wire: pages, dataclasses (less their private fields), pydantic
    models, lists and plain values."""
    if isinstance(value, Page):
        return {"items": [to_json(i) for i in value.items], "next_token": value.next_token}
    if dataclasses.is_dataclass(value):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.metadata.get("private")}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


@functools.cache
def _shown_fields(model: Any) -> tuple[dict[str, Any], bool] | None:
    """The fields a response model shows ({JSON key: type}) and whether it keeps keys it does not name
    (a pydantic model with extra="allow"); None for anything that is not a model."""
    if dataclasses.is_dataclass(model) and isinstance(model, type):
        hints = typing.get_type_hints(model)
        return {f.name: hints[f.name] for f in dataclasses.fields(model) if not f.metadata.get("private")}, False
    fields = getattr(model, "model_fields", None)
    if isinstance(model, type) and isinstance(fields, dict):
        shown = {key: info.annotation for name, info in fields.items() for key in {name, info.alias or name}}
        return shown, getattr(model, "model_config", {}).get("extra") == "allow"
    return None


def shape(value: Any, model: Any) -> Any:
    """`value` (JSON-ready, from to_json) as the route's response model declares it: only the fields
    the model names, all the way down. A shopper's view (domain.shopper_views) thus shows nothing of a
    staff record that the view does not name."""
    if value is None or model is None:
        return value
    if isinstance(model, str):
        model = resolve(model)
    origin, args = typing.get_origin(model), typing.get_args(model)
    if origin is typing.Annotated:
        return shape(value, args[0])
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return shape(value, options[0]) if len(options) == 1 else value
    if origin is list and isinstance(value, list):
        return [shape(item, args[0] if args else None) for item in value]
    known = _shown_fields(model)
    if known is None or not isinstance(value, dict):
        return value
    fields, keeps_others = known
    return {key: shape(item, fields.get(key)) for key, item in value.items() if key in fields or keeps_others}


def _answer(result: Any, response: Any) -> Any:
    """What a route answers: its result as its declared response (a page of them for page_of)."""
    shown = to_json(result)
    if isinstance(result, Page) and isinstance(shown, dict):
        item = typing.get_args(response)[0] if typing.get_origin(response) is list else None
        return {**shown, "items": [shape(i, item) for i in shown["items"]]}
    return shape(shown, response)


def _failure(error: Exception, request) -> Response:
    """The answer to an error: domain errors and validation errors in the envelope; a page token the
    database refuses (another index's or partition's key) is a 400; anything else is our bug (500)."""
    if isinstance(error, errors.DomainError):
        return _error_envelope(error)
    invalid = _validation_error(error)
    if invalid is not None:
        return _error_envelope(invalid)
    if (request.query_params or {}).get("next_token") and getattr(error, "cause_response_code", None) == "ValidationException":
        return _error_envelope(errors.BadRequest("next_token is not a valid page token."))
    logger.exception("unhandled error")  # a bug of ours: logged with its traceback
    return error_response(500, "internal_error", "Something went wrong on our side.")


def _arguments(request: Request, path_params: dict[str, str], access: Access, body: str | None,
               query: str | None) -> dict[str, Any]:
    """What the handler receives: path parameters, and `principal`, `body`, `query` when the route has them."""
    if any(len(value.encode()) > _MAX_PATH_PARAM_BYTES for value in path_params.values()):
        raise errors.NotFound("Nothing here by that name.")  # longer than any id, sku or token
    kwargs: dict[str, Any] = dict(path_params)
    if access.kind in _AUTHENTICATED:
        kwargs["principal"] = _authenticate(request, access)
    if body is not None:
        kwargs["body"] = _parse_body(request, body)
    if query is not None:
        kwargs["query"] = resolve(query).model_validate(request.query_params or {})
    return kwargs


@dataclass(frozen=True)
class _Claim:
    """An Idempotency-Key claimed for one request: the same key from the same caller on the same route and
    path ids is the same request. Its store is loaded by the first request that sends a key."""

    scope: str
    key: str

    @classmethod
    def of(cls, request: Request, principal: Principal | None, method: str, path: str, path_params: dict[str, str],
           key: str) -> _Claim:
        """A caller with a token is whom it names. An anonymous caller is what they showed: the cart token
        they hold (a guest's checkout) and the very body they sent (a registration). So another person's
        key never replays their answer, though a stranger may know the key and the path."""
        if principal:
            caller = principal.actor
        else:
            body = request.raw_body or b""
            sent = body if isinstance(body, bytes) else body.encode()
            shown = (request.headers.get("x-cart-token") or "").encode() + b"\n" + sent
            caller = f"anonymous:{hashlib.sha256(shown).hexdigest()}"
        return cls(f"{caller} {method} {path} {json.dumps(path_params, sort_keys=True)}", key[:200])

    def replay(self) -> Response | None:
        """The first request's answer to send again; None: this request is the first, and runs."""
        from chalicelib.services import idempotency

        stored = idempotency.claim(self.scope, self.key)
        if stored is None:
            return None
        return Response(body=stored.body, status_code=stored.status, headers={"Content-Type": "application/json"})

    def complete(self, status: int, body: str) -> None:
        from chalicelib.services import idempotency

        idempotency.complete(self.scope, self.key, status, body)

    def release(self) -> None:
        from chalicelib.services import idempotency

        idempotency.release(self.scope, self.key)


def route(bp: Blueprint, path: str, method: str, *, access: Access, summary: str, body: str | None = None,
          query: str | None = None, response: Any = None, status: int = 200, statuses: tuple[int, ...] = (),
          raw_body: str | None = None) -> Callable[[Callable], Callable]:
    """Register `fn` as a route. It receives path parameters, and `principal`, `body`, `query` when the
    route has them, and returns a record, a Page, a dict or None (204). `body`, `query` and `response`
    name models as "module:Class", imported on the route's first call (see the module's docstring).
    `statuses`: error statuses it answers beyond the common ones; `raw_body`: the model of a body the
    handler reads itself (for the OpenAPI document only)."""

    def decorator(fn: Callable) -> Callable:
        ROUTES.append(RouteSpec(bp, path, method, access, summary, body, query, response, status,
                                fn.__module__.rsplit(".", 1)[-1], fn, statuses, raw_body))
        creates = method == "POST" and status == 201

        @functools.wraps(fn)
        def handler(**path_params: str) -> Response:
            request = bp.current_request
            claim = None
            try:
                kwargs = _arguments(request, path_params, access, body, query)
                key = request.headers.get("idempotency-key") if creates else None
                if key:
                    claim = _Claim.of(request, kwargs.get("principal"), method, path, path_params, key)
                    replayed = claim.replay()
                    if replayed is not None:
                        return replayed
                result = fn(**kwargs)
            except Exception as error:
                if claim:
                    claim.release()
                return _failure(error, request)
            if result is None:
                return Response(body="", status_code=204)
            if isinstance(result, Redirect):
                return Response(body="", status_code=302, headers={"Location": result.location})
            answer = json_response(_answer(result, response), status)
            if claim:
                claim.complete(status, answer.body)
            return answer

        return bp.route(path, methods=[method])(handler)

    return decorator


def page_of(model: Any) -> Any:
    """The response of a list route: a page of `model` (a class, or a "module:Class" reference)."""
    return list[model]
