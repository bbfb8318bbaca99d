"""Coupons: `COUPON#<code>/COUPON`, GSI1 `COUPONS`/`<code>` (staff list, by code); how often one
customer used one: `COUPON#<code>/USE#<customer key>` (written only for coupons with a per-customer limit).

Limits are enforced by the write that uses the coupon, not by the read before it: `stage_redemption`
adds conditional ADDs to the caller's transaction (the order placement), so concurrent checkouts can
never take more redemptions than the limits allow."""
import dataclasses

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.coupons import USED_BY_CUSTOMER, USED_UP, Coupon
from chalicelib.domain.errors import Conflict
from chalicelib.domain.pages import Page
from chalicelib.store.models import ALL_OLD, CouponItem, CouponUseItem, condition_failed, failed_conditions, unchecked_version
from chalicelib.store.pagination import decode_token, encode_token

_FIELDS = ("code", "kind", "value", "min_subtotal", "starts_at", "ends_at", "usage_limit", "per_customer_limit",
           "used", "created_at", "updated_at")
_CHANGEABLE = ("kind", "value", "min_subtotal", "starts_at", "ends_at", "usage_limit", "per_customer_limit", "updated_at")
_NUMBERS = ("value", "min_subtotal", "usage_limit", "per_customer_limit", "used")


def _key(code: str) -> tuple[str, str]:
    return f"COUPON#{code}", "COUPON"


def _use_key(code: str, customer_key: str) -> tuple[str, str]:
    return f"COUPON#{code}", f"USE#{customer_key}"


def _to_domain(item: CouponItem) -> Coupon:
    fields = {name: getattr(item, name) for name in _FIELDS}
    for name in _NUMBERS:  # NumberAttribute reads back floats
        fields[name] = None if fields[name] is None else int(fields[name])
    return Coupon(version=item.version, **fields)


def create(coupon: Coupon) -> Coupon:
    """A new coupon; 409 if the code is taken."""
    item = CouponItem(*_key(coupon.code), GSI1PK="COUPONS", GSI1SK=coupon.code,
                      **{name: getattr(coupon, name) for name in _FIELDS})
    try:
        item.save(condition=CouponItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            raise Conflict(f"A coupon with code '{coupon.code}' already exists.", [{"field": "code"}]) from error
        raise
    return dataclasses.replace(coupon, version=item.version)


def get(code: str) -> Coupon | None:
    try:
        return _to_domain(CouponItem.get(*_key(code), consistent_read=True))
    except CouponItem.DoesNotExist:
        return None


def update(coupon: Coupon) -> Coupon:
    """Save the terms under the version read (409 if it changed meanwhile, a redemption included).
    `used` is never written here: only redemptions move it."""
    item = CouponItem(*_key(coupon.code))
    item.version = coupon.version
    values = {name: getattr(coupon, name) for name in _CHANGEABLE}
    actions = [getattr(CouponItem, k).set(v) if v is not None else getattr(CouponItem, k).remove() for k, v in values.items()]
    try:
        item.update(actions=actions)
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("The coupon was changed (or used) meanwhile; read it again and retry.") from error
        raise
    return _to_domain(item)


def page(limit: int, next_token: str | None) -> Page[Coupon]:
    """By code: one Query per page on GSI1."""
    start = decode_token(next_token, {"PK", "SK", "GSI1PK", "GSI1SK"})
    result = CouponItem.gsi1.query("COUPONS", limit=limit, last_evaluated_key=start)
    items = [_to_domain(i) for i in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def uses_by(code: str, customer_key: str) -> int:
    """How often this customer (or guest email) used the coupon (counted for per-customer limits only)."""
    try:
        return int(CouponUseItem.get(*_use_key(code, customer_key), consistent_read=True).uses)
    except CouponUseItem.DoesNotExist:
        return 0


def stage_redemption(tx: TransactWrite, coupon: Coupon, customer_key: str) -> None:
    """Add one use of the coupon to the caller's transaction: `used` + 1 while under `usage_limit`, and
    the customer's count + 1 while under `per_customer_limit` (when the coupon has one). Both are
    conditions of the transaction, so it fails as a whole when a limit is reached meanwhile; the
    failed items are returned (ALL_OLD) so that `exhausted_reason` can tell why.

    The coupon's version is bumped, not checked: redemptions do not conflict with each other, but an
    edit made on terms read before a redemption is answered 409."""
    room = CouponItem.usage_limit.does_not_exist() | (CouponItem.used < CouponItem.usage_limit)
    tx.update(unchecked_version(CouponItem(*_key(coupon.code))), actions=[CouponItem.used.add(1)],
              condition=CouponItem.PK.exists() & room, return_values=ALL_OLD, add_version_condition=False)
    if coupon.per_customer_limit is not None:
        tx.update(CouponUseItem(*_use_key(coupon.code, customer_key)),
                  actions=[CouponUseItem.uses.add(1), CouponUseItem.code.set(coupon.code),
                           CouponUseItem.customer_key.set(customer_key), CouponUseItem.item_type.set(CouponUseItem)],
                  condition=CouponUseItem.PK.does_not_exist() | (CouponUseItem.uses < coupon.per_customer_limit),
                  return_values=ALL_OLD)


def exhausted_reason(error: TransactWriteError) -> str | None:
    """Why a transaction with `stage_redemption` failed because of the coupon (a limit reached
    meanwhile), or None when the coupon was not the cause."""
    failed = failed_conditions(error)
    if "coupon" in failed:
        return USED_UP
    if "coupon_use" in failed:
        return USED_BY_CUSTOMER
    return None
