"""Coupons: staff define them; checkout asks `check` whether one applies and what it takes off.
The limits are enforced again, atomically, when the order is placed (store.coupons.stage_redemption)."""
from __future__ import annotations

import dataclasses

from chalicelib.domain import coupons as rules
from chalicelib.domain.clock import utc_now
from chalicelib.domain.coupons import Coupon
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.pages import Page
from chalicelib.store import coupons as repo


def create_coupon(draft: rules.CouponDraft) -> Coupon:
    now = utc_now()
    return repo.create(Coupon(**draft.model_dump(), created_at=now, updated_at=now))


def get_coupon(code: str) -> Coupon:
    coupon = repo.get(rules.normalise_code(code))
    if coupon is None:
        raise NotFound("No coupon with this code.")
    return coupon


def update_coupon(code: str, changes: rules.CouponChanges) -> Coupon:
    before = get_coupon(code)
    sent = changes.model_dump(exclude_unset=True)
    if not sent:
        return before
    after = dataclasses.replace(before, **sent, updated_at=utc_now())
    broken = rules.problems(after)
    if broken:
        raise InvalidInput("The coupon would not be valid.", broken)
    return repo.update(after)


def list_coupons(limit: int, next_token: str | None) -> Page[Coupon]:
    return repo.page(limit, next_token)


def check(code: str, subtotal: int, customer_key: str | None) -> tuple[Coupon, int]:
    """The coupon and what it takes off `subtotal`, or InvalidInput (422) saying why it cannot be used.
    `customer_key`: "cust:<id>", or "email:<lower email>" for a guest (domain.coupons.customer_key);
    None for a guest not known yet (the per-customer limit is then checked at checkout)."""
    coupon = repo.get(rules.normalise_code(code))
    if coupon is None:
        raise InvalidInput(rules.UNKNOWN, [{"field": "coupon", "message": rules.UNKNOWN}])
    used_by_customer = repo.uses_by(coupon.code, customer_key) if coupon.per_customer_limit and customer_key else 0
    reason = rules.refusal(coupon, subtotal, utc_now(), used_by_customer)
    if reason is not None:
        raise InvalidInput(reason, [{"field": "coupon", "message": reason}])
    return coupon, rules.discount_for(coupon, subtotal)
