"""Admin: the email templates (order and account emails), which staff may disable or rewrite."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, route, staff
from chalicelib.lazy import lazy_import
from chalicelib.store.pagination import Page

bp = Blueprint(__name__)
email_templates = lazy_import("chalicelib.services.email_templates")
ADMIN = staff("admin")


@route(bp, "/email-templates", "GET", access=ANY_STAFF, response=list["chalicelib.domain.mail:EmailTemplate"],
       summary="Email templates as they are in force (staff's version, else the default)")
def list_email_templates(principal):
    return Page(items=email_templates.list_templates(), next_token=None)


@route(bp, "/email-templates/{name}", "PATCH", access=ADMIN, body="chalicelib.domain.mail:TemplateChanges",
       response="chalicelib.domain.mail:EmailTemplate", summary="Enable, disable or rewrite an email template")
def change_email_template(principal, name: str, body: TemplateChanges):
    return email_templates.update_template(name, body, actor=principal.actor)
