"""Admin: the email templates (order and account emails), which staff may disable or rewrite."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.pages import page_in_memory
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.mail import TemplateChanges

bp = Blueprint(__name__)
MAIL = "chalicelib.domain.mail"
ADMIN = staff("admin")


@route(bp, "/email-templates", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{MAIL}:EmailTemplate"),
       summary="Email templates as they are in force (staff's version, else the default)")
def list_email_templates(principal: Principal, query: ListQuery):
    from chalicelib.services import email_templates

    return page_in_memory(email_templates.list_templates(), query.limit, query.next_token)


@route(bp, "/email-templates/{name}", "PATCH", access=ADMIN, body=f"{MAIL}:TemplateChanges",
       response=f"{MAIL}:EmailTemplate", summary="Enable, disable or rewrite an email template")
def change_email_template(principal: Principal, name: str, body: TemplateChanges):
    from chalicelib.services import email_templates

    return email_templates.update_template(name, body, actor=principal.actor)
