"""The API's own description and dev-only helpers.

Unknown routes are answered before the app runs (API Gateway, or Chalice's local gateway): a JSON
403; infra/ maps that gateway response to our error envelope with a 404."""
from chalice import Blueprint

from chalicelib.api.routing import PUBLIC, route
from chalicelib.domain.errors import NotFound
from chalicelib.settings import get_settings

bp = Blueprint(__name__)


@route(bp, "/openapi.json", "GET", access=PUBLIC, summary="This API's OpenAPI document")
def openapi():
    from chalicelib.api import BLUEPRINTS
    from chalicelib.api.openapi import openapi_document

    return openapi_document(BLUEPRINTS)


@route(bp, "/dev/mail", "GET", access=PUBLIC, summary="Dev stack only: emails written as .eml files")
def dev_mail():
    settings = get_settings()
    if not settings.dev_routes:
        raise NotFound("No such route.")
    from chalicelib.notify.mail_files import list_mail

    return {"items": list_mail(settings.mail_dir), "next_token": None}
