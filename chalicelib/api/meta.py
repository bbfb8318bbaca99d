"""The API's own description and dev-only helpers.

Unknown routes are answered before the app runs, with routing.UNKNOWN_ROUTE (a 404 in the error envelope):
by API Gateway's gateway responses in AWS (infra/), by the local stack's server (devstack) locally."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import LIST_QUERY, PUBLIC, route
from chalicelib.domain.errors import NotFound
from chalicelib.domain.pages import page_in_memory
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery

bp = Blueprint(__name__)


@route(bp, "/openapi.json", "GET", access=PUBLIC, summary="This API's OpenAPI document")
def openapi():
    from chalicelib.api import BLUEPRINTS
    from chalicelib.api.openapi import openapi_document

    return openapi_document(BLUEPRINTS)


@route(bp, "/dev/mail", "GET", access=PUBLIC, query=LIST_QUERY, summary="Dev stack only: emails written as .eml files")
def dev_mail(query: ListQuery):
    settings = get_settings()
    if not settings.dev_routes:
        raise NotFound("No such route.")
    from chalicelib.notify.mail_files import list_mail

    return page_in_memory(list_mail(settings.mail_dir), query.limit, query.next_token)
