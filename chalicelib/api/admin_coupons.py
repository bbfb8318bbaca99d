"""Admin: coupons (/admin/coupons)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, route, staff
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
coupons = lazy_import("chalicelib.services.coupons")
MODELS = "chalicelib.domain.coupons"  # named, not imported: the module loads pydantic


@route(bp, "/coupons", "GET", access=ANY_STAFF, query=LIST_QUERY, response=list[f"{MODELS}:Coupon"],
       summary="Every coupon, by code")
def list_coupons(principal, query):
    return coupons.list_coupons(query.limit, query.next_token)


@route(bp, "/coupons", "POST", access=staff("admin", "agent"), body=f"{MODELS}:CouponDraft",
       response=f"{MODELS}:Coupon", status=201, summary="Add a coupon")
def create_coupon(principal, body):
    return coupons.create_coupon(body)


@route(bp, "/coupons/{code}", "PATCH", access=staff("admin", "agent"), body=f"{MODELS}:CouponChanges",
       response=f"{MODELS}:Coupon", summary="Change a coupon's terms (value, dates, limits...)")
def update_coupon(principal, code: str, body):
    return coupons.update_coupon(code, body)
