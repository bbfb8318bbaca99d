"""The one place where HTTP meets the services.

`route(...)` registers a Chalice route that authenticates the caller, parses the body and query
with pydantic models, calls the handler, and turns results and domain errors into JSON responses
with the error envelope of API.md. The same registry feeds GET /openapi.json.
"""
import functools
import json
from dataclasses import dataclass
from typing import Any, Callable

from chalice import Blueprint, Response
from pydantic import BaseModel, Field, ValidationError

from chalicelib.domain import errors
from chalicelib.domain.base import Input
from chalicelib.domain.tokens import STAFF_ROLES, Principal, verify_customer_token, verify_staff_token
from chalicelib.logs import logger
from chalicelib.settings import get_settings
from chalicelib.store.pagination import Page

_STATUS = {
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
    errors.TooManyRequests: 429,
}


@dataclass(frozen=True)
class Access:
    """Who may call a route: nobody in particular, a customer, or staff with one of some roles."""

    kind: str  # "public" | "customer" | "staff"
    roles: tuple[str, ...] = ()


PUBLIC = Access("public")
CUSTOMER = Access("customer")
ANY_STAFF = Access("staff", STAFF_ROLES)


def staff(*roles: str) -> Access:
    return Access("staff", roles)


@dataclass
class RouteSpec:
    blueprint: Blueprint
    path: str
    method: str
    access: Access
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    tag: str


ROUTES: list[RouteSpec] = []


class ListQuery(Input):
    """Paging of every list: ?limit= (1..200, default 50) and ?next_token=."""

    limit: int = Field(50, ge=1, le=200)
    next_token: str | None = Field(None, max_length=2048)


def _status_of(error: errors.DomainError) -> int:
    return next((_STATUS[cls] for cls in type(error).__mro__ if cls in _STATUS), 400)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=json.dumps(body, separators=(",", ":")), status_code=status,
                    headers={"Content-Type": "application/json"})


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return json_response({"error": {"code": code, "message": message, "details": details or []}}, status)


def _validation_details(error: ValidationError) -> list[dict]:
    return [{"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_input=False)]


def _authenticate(request, access: Access) -> Principal | None:
    if access.kind == "public":
        return None
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("A bearer token is required.")
    settings = get_settings()
    if access.kind == "customer":
        return verify_customer_token(token.strip(), settings.customer_token_secret)
    principal = verify_staff_token(token.strip(), secret=settings.staff_token_secret, jwks_url=settings.cognito_jwks_url,
                                   issuer=settings.cognito_issuer, audience=settings.cognito_audience)
    if principal.role not in access.roles:
        raise errors.Forbidden(f"The role '{principal.role}' may not do this.")
    return principal


def _parse_body(request, model: type[BaseModel]) -> BaseModel:
    raw = request.raw_body or b""
    if len(raw) > get_settings().max_body_bytes:
        raise errors.BadRequest(f"The body is larger than {get_settings().max_body_bytes} bytes.")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise errors.BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise errors.BadRequest("The body must be a JSON object.")
    return model.model_validate(data)


def _shape(result: Any) -> Any:
    if isinstance(result, Page):
        return {"items": [_shape(i) for i in result.items], "next_token": result.next_token}
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    return result


def route(bp: Blueprint, path: str, method: str, *, access: Access, summary: str, body: type[BaseModel] | None = None,
          query: type[BaseModel] | None = None, response: Any = None, status: int = 200) -> Callable:
    """Register `fn` as a route. It receives path parameters, and `principal`, `body`, `query` when the
    route has them, and returns a pydantic model, a Page, a dict or None (204)."""

    def decorator(fn: Callable) -> Callable:
        ROUTES.append(RouteSpec(bp, path, method, access, summary, body, query, response, status, fn.__module__.rsplit(".", 1)[-1]))

        @functools.wraps(fn)
        def handler(**path_params: str) -> Response:
            request = bp.current_request
            try:
                kwargs: dict[str, Any] = dict(path_params)
                if access.kind != "public":
                    kwargs["principal"] = _authenticate(request, access)
                if body is not None:
                    kwargs["body"] = _parse_body(request, body)
                if query is not None:
                    kwargs["query"] = query.model_validate(request.query_params or {})
                result = fn(**kwargs)
            except errors.DomainError as error:
                return error_response(_status_of(error), error.code, error.message, error.details)
            except ValidationError as error:
                return error_response(422, "validation_error", "The request is not valid.", _validation_details(error))
            except Exception:  # a bug of ours: logged with its traceback, answered with the envelope
                logger.exception("unhandled error")
                return error_response(500, "internal_error", "Something went wrong on our side.")
            if result is None:
                return Response(body="", status_code=204)
            return json_response(_shape(result), status)

        return bp.route(path, methods=[method])(handler)

    return decorator
