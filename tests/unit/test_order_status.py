"""The order state machine: every move of the table, the guards, and automatic completion."""
import itertools

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.order_status import (
    AXIS_OF,
    InvalidTransition,
    OrderState,
    can_cancel,
    can_delete,
    initial_state,
    move,
)
from chalicelib.domain.order_status import (
    FulfillmentStatus as F,
)
from chalicelib.domain.order_status import (
    OrderStatus as O,
)
from chalicelib.domain.order_status import (
    PaymentStatus as P,
)

# What may follow what, written out once more by hand: the test fails if the table drifts.
ALLOWED = {
    O.OPEN: {O.CANCELLED, O.REJECTED, O.COMPLETED},
    P.AWAITING_PAYMENT: {P.PAID, P.PAYMENT_FAILED},
    P.AWAITING_VERIFICATION: {P.PAID, P.PAYMENT_FAILED},
    P.UNPAID: {P.PAID},
    P.PAYMENT_FAILED: {P.PAID, P.AWAITING_PAYMENT},
    P.PAID: {P.REFUNDED},
    F.UNFULFILLED: {F.PROCESSING, F.SHIPPED},
    F.PROCESSING: {F.SHIPPED, F.UNFULFILLED},
    F.SHIPPED: {F.DELIVERED, F.RETURNED},
    F.DELIVERED: {F.RETURNED},
}


def _state_with(status_name: str) -> OrderState:
    """A state whose axis of `status_name` is at it; the other axes out of the guards' way."""
    base = OrderState(payment_status=P.PAID) if AXIS_OF[status_name] != "payment_status" else OrderState()
    return OrderState(**{**base.__dict__, AXIS_OF[status_name]: status_name})


@pytest.mark.parametrize("source,target", [(s, t) for s, t in itertools.product(AXIS_OF, AXIS_OF)
                                           if AXIS_OF[s] == AXIS_OF[t] and s != t])
def test_every_move_of_an_axis_is_allowed_exactly_when_the_table_says(source, target):
    state = _state_with(source)
    allowed = target in ALLOWED.get(source, set())
    if target == O.COMPLETED:  # the guard wants paid and delivered besides
        state = OrderState(source, payment_status=P.PAID, fulfillment_status=F.DELIVERED)
    if allowed:
        assert getattr(move(state, target), AXIS_OF[target]) == target
    else:
        with pytest.raises(InvalidTransition):
            move(state, target)


@pytest.mark.parametrize("method,payment", [("card", P.AWAITING_PAYMENT), ("paypal", P.AWAITING_PAYMENT),
                                            ("wire_transfer", P.AWAITING_VERIFICATION), ("cash_on_delivery", P.UNPAID)])
def test_the_first_state_follows_the_payment_method(method, payment):
    assert initial_state(method) == OrderState(O.OPEN, payment, F.UNFULFILLED)


def test_nothing_ships_before_payment_except_cash_on_delivery():
    with pytest.raises(InvalidTransition, match="not paid"):
        move(initial_state("card"), F.SHIPPED)
    assert move(initial_state("cash_on_delivery"), F.PROCESSING).fulfillment_status == F.PROCESSING


def test_paid_and_delivered_completes_the_order_in_either_order():
    cod = move(move(initial_state("cash_on_delivery"), F.SHIPPED), F.DELIVERED)
    assert cod.status == O.OPEN
    assert move(cod, P.PAID).status == O.COMPLETED
    card = move(move(move(initial_state("card"), P.PAID), F.SHIPPED), F.DELIVERED)
    assert card.status == O.COMPLETED


def test_a_shipped_order_cannot_be_cancelled_or_rejected_and_a_closed_one_does_not_ship():
    shipped = move(move(initial_state("card"), P.PAID), F.SHIPPED)
    assert not can_cancel(shipped)
    for target in (O.CANCELLED, O.REJECTED):
        with pytest.raises(InvalidTransition, match="shipped"):
            move(shipped, target)
    cancelled = move(move(initial_state("card"), P.PAID), O.CANCELLED)
    with pytest.raises(InvalidTransition, match="not open"):
        move(cancelled, F.PROCESSING)
    assert move(cancelled, P.REFUNDED).payment_status == P.REFUNDED


def test_a_called_off_order_is_not_paid_afterwards():
    for closing in (O.CANCELLED, O.REJECTED):
        closed = move(initial_state("card"), closing)
        with pytest.raises(InvalidTransition, match="not open"):
            move(closed, P.PAID)
        assert move(closed, P.PAYMENT_FAILED).payment_status == P.PAYMENT_FAILED


def test_unknown_status_names_are_invalid_input():
    with pytest.raises(InvalidInput):
        move(OrderState(), "lost")


def test_only_test_orders_and_never_paid_cancelled_orders_may_be_deleted():
    cancelled_unpaid = move(initial_state("card"), O.CANCELLED)
    cancelled_refunded = move(move(move(initial_state("card"), P.PAID), O.CANCELLED), P.REFUNDED)
    assert can_delete(cancelled_unpaid, is_test=False)
    assert not can_delete(cancelled_refunded, is_test=False)
    assert not can_delete(initial_state("card"), is_test=False)
    assert can_delete(move(initial_state("card"), P.PAID), is_test=True)
