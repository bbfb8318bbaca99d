"""The domain's rules for stock (what an order change takes or puts back) and delivery methods (which
one applies, what it costs)."""
import dataclasses

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.orders import Order, OrderCustomer, OrderLine, StockChange, default_delivery_name, stock_changes
from chalicelib.domain.store_settings import DeliveryMethod, StoreSettings

AT = "2026-11-02T09:00:00.000Z"


def _order(*lines: OrderLine, **fields) -> Order:
    return Order(id="O1", number=1001, customer=OrderCustomer("a@example.com", "Ann", "Lee"), delivery_method="standard",
                 payment_method="card", currency="EUR", created_at=AT, updated_at=AT, lines=list(lines), **fields)


MUGS = OrderLine("MUG-01", "Mug", 3, 1250, stock_tracked=True)
TEA = OrderLine("TEA-01", "Tea", 1, 800)  # its product did not track stock


# Stock

def test_a_placed_order_takes_its_tracked_lines_only():
    assert stock_changes(None, _order(MUGS, TEA)) == [StockChange("MUG-01", 3)]


@pytest.mark.parametrize("status", ["cancelled", "rejected"])
def test_calling_an_order_off_puts_back_what_it_held(status):
    placed = _order(MUGS, TEA)
    assert stock_changes(placed, dataclasses.replace(placed, status=status)) == [StockChange("MUG-01", -3)]


def test_a_change_that_keeps_the_lines_moves_no_stock():
    placed = _order(MUGS, TEA)
    assert stock_changes(placed, dataclasses.replace(placed, payment_status="paid", fulfillment_status="shipped")) == []
    completed = dataclasses.replace(placed, status="completed")
    assert stock_changes(placed, completed) == []


def test_line_edits_move_the_difference():
    placed = _order(MUGS, TEA)
    reduced = dataclasses.replace(placed, lines=[dataclasses.replace(MUGS, quantity=1), TEA])
    added = dataclasses.replace(placed, lines=[MUGS, TEA, OrderLine("BAG-01", "Bag", 2, 2000, stock_tracked=True)])
    assert stock_changes(placed, reduced) == [StockChange("MUG-01", -2)]
    assert stock_changes(placed, added) == [StockChange("BAG-01", 2)]
    assert stock_changes(placed, dataclasses.replace(placed, lines=[TEA])) == [StockChange("MUG-01", -3)]


def test_a_deleted_order_puts_back_what_it_held_and_a_cancelled_one_nothing():
    placed = _order(MUGS)
    assert stock_changes(placed, None) == [StockChange("MUG-01", -3)]
    assert stock_changes(dataclasses.replace(placed, status="cancelled"), None) == []


def test_imported_orders_never_move_stock():
    imported = _order(MUGS, imported=True)
    assert stock_changes(None, imported) == []
    assert stock_changes(imported, dataclasses.replace(imported, status="cancelled")) == []


# Delivery methods

def test_the_fee_is_waived_from_free_over_on():
    courier = DeliveryMethod(code="courier", name="Courier", fee=1500, free_over=3000)
    assert [courier.fee_for(total) for total in (0, 2999, 3000, 10_000)] == [1500, 1500, 0, 0]
    assert DeliveryMethod(code="post", name="Post", fee=590).fee_for(10**9) == 590


def test_the_store_offers_its_first_active_method_when_none_is_chosen():
    settings = StoreSettings(delivery_methods=[{"code": "old", "name": "Old", "fee": 1, "active": False},
                                               {"code": "post", "name": "Post", "fee": 590}])
    assert settings.delivery_method(None).code == "post"
    assert StoreSettings().delivery_method(None).code == "standard"


def test_an_inactive_or_unknown_method_names_the_active_ones():
    settings = StoreSettings(delivery_methods=[{"code": "old", "name": "Old", "fee": 1, "active": False},
                                               {"code": "post", "name": "Post", "fee": 590}])
    for code in ("old", "drone"):
        with pytest.raises(InvalidInput) as refused:
            settings.delivery_method(code)
        assert refused.value.details[0]["valid"] == ["post"]
    assert settings.known_delivery_code("old") == "old"  # a filter still finds a retired method's orders


def test_an_order_without_a_stored_name_answers_the_default_methods():
    assert [default_delivery_name(c) for c in ("standard", "express", "pickup", "courier")] == \
        ["Standard", "Express", "Pickup", "courier"]
