"""The coupon rules without storage: what a coupon takes off, and why it may not be used."""
import pytest
from pydantic import ValidationError

from chalicelib.domain.coupons import Coupon, CouponChanges, CouponDraft, customer_key, discount_for, problems, refusal

NOW = "2026-11-02T09:00:00.000Z"


def _coupon(**fields) -> Coupon:
    base = {"code": "SPRING10", "kind": "percent", "value": 10, "created_at": NOW, "updated_at": NOW}
    return Coupon(**{**base, **fields})


def test_a_percent_coupon_takes_its_share_rounded_down():
    # Given 10 % off, when applied to various subtotals, then the discount is floored in minor units
    coupon = _coupon()
    assert discount_for(coupon, 10_000) == 1_000
    assert discount_for(coupon, 999) == 99  # 99.9 -> 99
    assert discount_for(coupon, 9) == 0
    assert discount_for(coupon, 0) == 0
    assert discount_for(_coupon(value=100), 1234) == 1234


def test_a_fixed_coupon_never_takes_more_than_the_subtotal():
    coupon = _coupon(kind="fixed", value=500)
    assert discount_for(coupon, 2000) == 500
    assert discount_for(coupon, 500) == 500
    assert discount_for(coupon, 499) == 499
    assert discount_for(coupon, 0) == 0


def test_a_coupon_within_every_rule_is_accepted():
    coupon = _coupon(starts_at=NOW, ends_at="2026-11-03T00:00:00.000Z", usage_limit=5, used=4, per_customer_limit=2,
                     min_subtotal=2000)
    # Given the first millisecond of the window, the last free use, the customer's last use, the exact minimum
    assert refusal(coupon, 2000, NOW, used_by_customer=1) is None


def test_a_coupon_before_its_start_is_not_valid_yet():
    coupon = _coupon(starts_at=NOW)
    assert refusal(coupon, 1000, "2026-11-02T08:59:59.999Z", 0) == "the coupon is not valid yet"
    assert refusal(coupon, 1000, NOW, 0) is None


def test_a_coupon_at_or_after_its_end_has_expired():
    coupon = _coupon(ends_at=NOW)
    assert refusal(coupon, 1000, "2026-11-02T08:59:59.999Z", 0) is None
    assert refusal(coupon, 1000, NOW, 0) == "the coupon has expired"  # the end is exclusive


def test_a_coupon_at_its_usage_limit_is_used_up():
    assert refusal(_coupon(usage_limit=3, used=2), 1000, NOW, 0) is None
    assert refusal(_coupon(usage_limit=3, used=3), 1000, NOW, 0) == "the coupon has been used up"
    assert refusal(_coupon(usage_limit=None, used=10**6), 1000, NOW, 0) is None  # unlimited


def test_a_customer_at_the_per_customer_limit_is_refused():
    coupon = _coupon(per_customer_limit=2)
    assert refusal(coupon, 1000, NOW, used_by_customer=1) is None
    assert refusal(coupon, 1000, NOW, used_by_customer=2) == "you have already used this coupon"
    assert refusal(_coupon(), 1000, NOW, used_by_customer=50) is None  # no per-customer limit


def test_an_order_below_the_minimum_is_refused_with_the_amount():
    coupon = _coupon(min_subtotal=5000)
    assert refusal(coupon, 4999, NOW, 0) == "the order must be at least 50.00"
    assert refusal(coupon, 5000, NOW, 0) is None


def test_the_first_broken_rule_is_the_reason():
    # Given an expired, used-up coupon on a too small order, then expiry is what the shopper is told
    coupon = _coupon(ends_at=NOW, usage_limit=1, used=1, min_subtotal=5000)
    assert refusal(coupon, 10, NOW, 0) == "the coupon has expired"


def test_customer_keys_tell_customers_from_guests():
    assert customer_key("01J0", "ann@example.com") == "cust:01J0"
    assert customer_key(None, " Ann@Example.COM ") == "email:ann@example.com"
    with pytest.raises(ValueError):
        customer_key(None, None)


def test_a_draft_normalises_its_code_and_times():
    draft = CouponDraft.model_validate({"code": " spring-10 ", "kind": "percent", "value": 10,
                                        "starts_at": "2026-11-02T10:00:00+01:00", "ends_at": "2026-12-01T00:00:00Z"})
    assert draft.code == "SPRING-10"
    assert (draft.starts_at, draft.ends_at) == ("2026-11-02T09:00:00.000Z", "2026-12-01T00:00:00.000Z")


@pytest.mark.parametrize("bad", [
    {"value": 0}, {"value": 101}, {"value": 10.0}, {"value": "10"}, {"kind": "free"}, {"min_subtotal": -1},
    {"code": "AB"}, {"code": "SPRING 10"}, {"code": "X" * 33}, {"usage_limit": 0}, {"per_customer_limit": -1},
    {"starts_at": "2026-11-02"}, {"starts_at": "2026-11-02T09:00:00"}, {"starts_at": 1_790_000_000},
    {"starts_at": "2026-11-02T09:00:00Z", "ends_at": "2026-11-02T09:00:00Z"}, {"colour": "red"},
])
def test_bad_drafts_are_refused(bad):
    with pytest.raises(ValidationError):
        CouponDraft.model_validate({"code": "SPRING10", "kind": "percent", "value": 10, **bad})


def test_a_fixed_value_may_exceed_100_but_not_a_billion():
    assert CouponDraft.model_validate({"code": "TENNER", "kind": "fixed", "value": 1000}).value == 1000
    with pytest.raises(ValidationError):
        CouponDraft.model_validate({"code": "TENNER", "kind": "fixed", "value": 10**9 + 1})


def test_changes_cannot_rename_and_merged_terms_are_checked():
    with pytest.raises(ValidationError):
        CouponChanges.model_validate({"code": "OTHER"})
    # Given a fixed 500 coupon turned into a percent one without a new value, then the result is broken
    assert problems(_coupon(kind="percent", value=500)) == [{"field": "value", "message": "a percent coupon is at most 100"}]
    assert problems(_coupon(starts_at=NOW, ends_at="2026-11-01T00:00:00.000Z"))[0]["field"] == "ends_at"
    assert problems(_coupon()) == []
