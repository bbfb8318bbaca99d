"""Admin: invoices (/admin/invoices)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, page_of, route
from chalicelib.domain.errors import NotFound
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.order_inputs import InvoiceQuery

bp = Blueprint(__name__)
INVOICES = "chalicelib.domain.invoices"


@route(bp, "/invoices", "GET", access=ANY_STAFF, query="chalicelib.domain.order_inputs:InvoiceQuery",
       response=page_of(f"{INVOICES}:Invoice"), summary="Invoices issued in a date range, newest first")
def list_invoices(principal: Principal, query: InvoiceQuery):
    from chalicelib.services import invoices

    return invoices.list_invoices(query.from_, query.to, query.limit, query.next_token)


@route(bp, "/invoices/{number}", "GET", access=ANY_STAFF, response=f"{INVOICES}:Invoice",
       summary="An invoice, with a short-lived link to its PDF")
def get_invoice(principal: Principal, number: str):
    from chalicelib.services import invoices

    return invoices.get_invoice(_number(number))


def _number(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", text):
        raise NotFound("No invoice with this number.")
    return int(text)
