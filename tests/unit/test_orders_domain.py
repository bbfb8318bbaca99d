"""The order rules without storage: totals, what a change means elsewhere, emails, invoices, anonymising."""
import dataclasses

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import (
    Discount,
    Order,
    OrderCustomer,
    OrderLine,
    anonymised,
    counts_as_order,
    is_called_off,
    is_unprocessed,
    mail_context,
    mails_for,
    needs_invoice,
    order_sales,
    priced,
    spent,
)


def _order(**fields) -> Order:
    base = Order(id="o1", number=1001, customer=OrderCustomer("a@example.com", "Ann", "Lee"), delivery_method="standard",
                 payment_method="card", currency="EUR", created_at="2026-11-02T09:00:00.000Z",
                 updated_at="2026-11-02T09:00:00.000Z", shipping=490,
                 lines=[OrderLine("MUG-01", "Mug", 2, 1250), OrderLine("TEA-01", "Tea", 1, 800, discount=100)])
    return priced(dataclasses.replace(base, **fields))


def test_totals_come_from_lines_discounts_and_shipping():
    order = _order(order_discount=Discount("percent", 10))
    assert [line.total for line in order.lines] == [2500, 700]
    # 3300 gross, 100 off the tea, 10 % of 3200 = 320 off the order
    assert (order.subtotal, order.discount, order.shipping, order.total) == (3300, 420, 490, 3370)
    assert isinstance(order.total, int)
    assert _order(order_discount=Discount("fixed", 3200)).total == 490


@pytest.mark.parametrize("fields", [
    {"order_discount": Discount("fixed", 3201)},
    {"lines": [OrderLine("MUG-01", "Mug", 1, 1250, discount=1251)]},
    {"lines": [OrderLine(f"S{i}", "x", 1, 1) for i in range(51)]},
])
def test_discounts_above_what_they_apply_to_and_huge_orders_are_refused(fields):
    with pytest.raises(InvalidInput):
        _order(**fields)


def test_what_counts_where():
    open_order, test_order = _order(), _order(is_test=True)
    cancelled, refunded = _order(status="cancelled"), _order(payment_status="refunded")
    assert [counts_as_order(o) for o in (open_order, test_order, cancelled, refunded, None)] == [True, False, False, True, False]
    assert [spent(o) for o in (open_order, test_order, cancelled, refunded, None)] == [open_order.total, 0, 0, 0, 0]


@pytest.mark.parametrize("fields, unprocessed", [
    ({}, False), ({"payment_status": "paid"}, True), ({"payment_status": "unpaid"}, True),
    ({"payment_status": "paid", "fulfillment_status": "processing"}, True),
    ({"payment_status": "paid", "fulfillment_status": "shipped"}, False),
    ({"payment_status": "paid", "status": "cancelled"}, False),
])
def test_the_unprocessed_badge_rule(fields, unprocessed):
    assert is_unprocessed(_order(**fields)) is unprocessed


def _changes(before, after):
    sales = order_sales(before, after)
    return sales.changes if sales else []


def test_sales_changes_are_differences_per_sku_on_the_orders_day():
    before = _order()
    after = _order(lines=[OrderLine("MUG-01", "Mug", 3, 1250), OrderLine("BAG-01", "Bag", 1, 2000)])
    sales = order_sales(before, after)
    assert sales is not None and (sales.order_id, sales.day) == (before.id, before.created_at[:10])
    changes = {c.sku: (c.quantity, c.revenue, c.listed) for c in sales.changes}
    assert changes == {"MUG-01": (1, 1250, None), "TEA-01": (-1, -700, False), "BAG-01": (1, 2000, True)}
    assert {c.sku: c.listed for c in _changes(None, before)} == {"MUG-01": True, "TEA-01": True}
    assert {c.sku: (c.quantity, c.listed) for c in _changes(before, _order(status="cancelled"))} == {
        "MUG-01": (-2, False), "TEA-01": (-1, False)}
    assert order_sales(before, dataclasses.replace(before, shipping_address={"city": "x"})) is None


@pytest.mark.parametrize("before, after, mails", [
    (None, {}, ["order_received"]),
    (None, {"payment_method": "wire_transfer", "payment_status": "awaiting_verification"},
     ["order_received", "wire_transfer_instructions"]),
    ({}, {"payment_status": "paid"}, ["payment_received"]),
    ({"payment_status": "paid"}, {"payment_status": "paid", "fulfillment_status": "processing"}, []),
    ({"payment_status": "paid"}, {"payment_status": "paid", "fulfillment_status": "shipped"}, ["order_shipped"]),
    ({"payment_status": "paid", "fulfillment_status": "shipped"},
     {"payment_status": "paid", "fulfillment_status": "delivered", "status": "completed"}, ["order_delivered"]),
    ({}, {"status": "cancelled"}, ["order_cancelled"]),
    ({}, {"status": "rejected"}, ["order_cancelled"]),
    ({"payment_status": "paid"}, {"payment_status": "refunded"}, ["order_refunded"]),
])
def test_the_emails_a_change_sends(before, after, mails):
    assert mails_for(None if before is None else _order(**before), _order(**after)) == mails


def test_an_email_sees_the_order_but_not_its_private_fields():
    context = mail_context(_order(customer_entry_id="c1", version=3))
    assert context["order"]["number"] == 1001 and context["order"]["lines"][0]["sku"] == "MUG-01"
    assert "customer_entry_id" not in context["order"] and "version" not in context["order"]
    assert context["customer"] == {"first_name": "Ann", "last_name": "Lee"}


@pytest.mark.parametrize("fields, enabled, issue_for, wanted", [
    ({"payment_status": "paid"}, True, "all", True),
    ({"payment_status": "paid"}, False, "all", False),
    ({"payment_status": "awaiting_payment"}, True, "all", False),
    ({"payment_method": "cash_on_delivery", "payment_status": "unpaid"}, True, "all", True),
    ({"payment_status": "paid", "is_test": True}, True, "all", False),
    ({"payment_status": "paid", "invoice_number": 4}, True, "all", False),
    ({"payment_status": "paid", "status": "cancelled"}, True, "all", False),
    ({"payment_status": "paid"}, True, "companies", False),
    ({"payment_status": "paid", "billing_address": {"company": "Acme"}}, True, "companies", True),
])
def test_when_an_invoice_is_due(fields, enabled, issue_for, wanted):
    assert needs_invoice(_order(**fields), enabled, issue_for) is wanted


def test_cancelled_and_rejected_orders_are_called_off():
    assert [is_called_off(_order(status=s)) for s in ("open", "cancelled", "rejected", "completed")] == [False, True, True, False]


def test_anonymising_keeps_what_was_bought():
    order = _order(customer_id="c1", customer_entry_id="c1", billing_address={"name": "Ann", "line1": "1 St", "city": "Lyon",
                                                                               "zip": "69001", "country": "FR"})
    gone = anonymised(order)
    assert gone.customer.email is None and gone.customer_id is None and gone.customer_entry_id is None
    assert gone.billing_address == {"city": "Lyon", "zip": "69001", "country": "FR"} and gone.shipping_address is None
    assert (gone.lines, gone.total) == (order.lines, order.total)
