"""Admin: coupons (/admin/coupons)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.coupons import CouponChanges, CouponDraft

bp = Blueprint(__name__)
MODELS = "chalicelib.domain.coupons"  # named, not imported: the module loads pydantic


@route(bp, "/coupons", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{MODELS}:Coupon"),
       summary="Every coupon, by code")
def list_coupons(principal: Principal, query: ListQuery):
    from chalicelib.services import coupons

    return coupons.list_coupons(query.limit, query.next_token)


@route(bp, "/coupons", "POST", access=staff("admin", "agent"), body=f"{MODELS}:CouponDraft",
       response=f"{MODELS}:Coupon", status=201, summary="Add a coupon")
def create_coupon(principal: Principal, body: CouponDraft):
    from chalicelib.services import coupons

    return coupons.create_coupon(body)


@route(bp, "/coupons/{code}", "PATCH", access=staff("admin", "agent"), body=f"{MODELS}:CouponChanges",
       response=f"{MODELS}:Coupon", summary="Change a coupon's terms (value, dates, limits...)")
def update_coupon(principal: Principal, code: str, body: CouponChanges):
    from chalicelib.services import coupons

    return coupons.update_coupon(code, body)
