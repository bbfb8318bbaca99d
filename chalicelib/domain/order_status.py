"""An order's state on three axes (order, payment, fulfilment) and the one table of moves between them.

Status names are unique across the axes, so `{"status": "shipped"}` says which axis moves. A move the
table does not allow is a 409 (InvalidTransition); a name no axis knows is a 422.
"""
from dataclasses import dataclass, replace

from chalicelib.domain.errors import Conflict, InvalidInput


class OrderStatus:
    OPEN = "open"  # being handled
    CANCELLED = "cancelled"  # called off (by the customer, staff, or unpaid for too long)
    REJECTED = "rejected"  # refused by staff (fraud, out of stock...)
    COMPLETED = "completed"  # paid and delivered


class PaymentStatus:
    AWAITING_PAYMENT = "awaiting_payment"  # card/PayPal: the customer has not finished paying
    AWAITING_VERIFICATION = "awaiting_verification"  # wire transfer: staff check the bank
    UNPAID = "unpaid"  # cash on delivery: paid at the door, processable before
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"


class FulfillmentStatus:
    UNFULFILLED = "unfulfilled"
    PROCESSING = "processing"  # being picked and packed
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"


ORDER, PAYMENT, FULFILLMENT = "status", "payment_status", "fulfillment_status"

# (axis, from) -> the statuses that axis may move to.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (ORDER, OrderStatus.OPEN): frozenset({OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.COMPLETED}),
    (PAYMENT, PaymentStatus.AWAITING_PAYMENT): frozenset({PaymentStatus.PAID, PaymentStatus.PAYMENT_FAILED}),
    (PAYMENT, PaymentStatus.AWAITING_VERIFICATION): frozenset({PaymentStatus.PAID, PaymentStatus.PAYMENT_FAILED}),
    (PAYMENT, PaymentStatus.UNPAID): frozenset({PaymentStatus.PAID}),
    (PAYMENT, PaymentStatus.PAYMENT_FAILED): frozenset({PaymentStatus.PAID, PaymentStatus.AWAITING_PAYMENT}),
    (PAYMENT, PaymentStatus.PAID): frozenset({PaymentStatus.REFUNDED}),
    (FULFILLMENT, FulfillmentStatus.UNFULFILLED): frozenset({FulfillmentStatus.PROCESSING, FulfillmentStatus.SHIPPED}),
    (FULFILLMENT, FulfillmentStatus.PROCESSING): frozenset({FulfillmentStatus.SHIPPED, FulfillmentStatus.UNFULFILLED}),
    (FULFILLMENT, FulfillmentStatus.SHIPPED): frozenset({FulfillmentStatus.DELIVERED, FulfillmentStatus.RETURNED}),
    (FULFILLMENT, FulfillmentStatus.DELIVERED): frozenset({FulfillmentStatus.RETURNED}),
}

AXIS_OF: dict[str, str] = {
    **{v: ORDER for k, v in vars(OrderStatus).items() if k.isupper()},
    **{v: PAYMENT for k, v in vars(PaymentStatus).items() if k.isupper()},
    **{v: FULFILLMENT for k, v in vars(FulfillmentStatus).items() if k.isupper()},
}

INITIAL_PAYMENT = {
    "card": PaymentStatus.AWAITING_PAYMENT,
    "paypal": PaymentStatus.AWAITING_PAYMENT,
    "wire_transfer": PaymentStatus.AWAITING_VERIFICATION,
    "cash_on_delivery": PaymentStatus.UNPAID,
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


@dataclass(frozen=True)
class OrderState:
    status: str = OrderStatus.OPEN
    payment_status: str = PaymentStatus.AWAITING_PAYMENT
    fulfillment_status: str = FulfillmentStatus.UNFULFILLED


def initial_state(payment_method: str) -> OrderState:
    return OrderState(payment_status=INITIAL_PAYMENT[payment_method])


def is_paid_or_payable_later(state: OrderState) -> bool:
    """Goods may leave the warehouse: paid, or cash on delivery."""
    return state.payment_status in (PaymentStatus.PAID, PaymentStatus.UNPAID)


def has_shipped(state: OrderState) -> bool:
    return state.fulfillment_status in (FulfillmentStatus.SHIPPED, FulfillmentStatus.DELIVERED, FulfillmentStatus.RETURNED)


def can_cancel(state: OrderState) -> bool:
    return state.status == OrderStatus.OPEN and not has_shipped(state)


def can_edit_lines(state: OrderState) -> bool:
    return state.status == OrderStatus.OPEN and not has_shipped(state)


def can_delete(state: OrderState, is_test: bool) -> bool:
    """Test orders, and cancelled orders that were never paid (nothing to account for)."""
    never_paid = state.payment_status not in (PaymentStatus.PAID, PaymentStatus.REFUNDED)
    return is_test or (state.status == OrderStatus.CANCELLED and never_paid)


def _guard(state: OrderState, axis: str, target: str) -> str | None:
    """Why a move the table allows cannot happen in this state, if so."""
    if axis == FULFILLMENT and state.status != OrderStatus.OPEN and target != FulfillmentStatus.RETURNED:
        return "the order is not open"
    if target == PaymentStatus.PAID and state.status != OrderStatus.OPEN:
        return "the order is not open"  # a payment for a called-off order is flagged for a refund
    if target in (FulfillmentStatus.PROCESSING, FulfillmentStatus.SHIPPED) and not is_paid_or_payable_later(state):
        return "the order is not paid"
    if target in (OrderStatus.CANCELLED, OrderStatus.REJECTED) and has_shipped(state):
        return "the order has shipped"
    if target == OrderStatus.COMPLETED and not (state.payment_status == PaymentStatus.PAID
                                                and state.fulfillment_status == FulfillmentStatus.DELIVERED):
        return "only a paid and delivered order is completed"
    return None


def move(state: OrderState, target: str) -> OrderState:
    """The state after moving one axis to `target`; delivered and paid together complete the order."""
    axis = AXIS_OF.get(target)
    if axis is None:
        raise InvalidInput(f"Unknown status '{target}'.", [{"field": "status", "message": f"one of {sorted(AXIS_OF)}"}])
    current = getattr(state, axis)
    if target not in TRANSITIONS.get((axis, current), frozenset()):
        raise InvalidTransition(f"An order cannot go from '{current}' to '{target}'.")
    reason = _guard(state, axis, target)
    if reason:
        raise InvalidTransition(f"An order cannot become '{target}': {reason}.")
    moved = replace(state, **{axis: target})
    if (moved.status == OrderStatus.OPEN and moved.payment_status == PaymentStatus.PAID
            and moved.fulfillment_status == FulfillmentStatus.DELIVERED):
        moved = replace(moved, status=OrderStatus.COMPLETED)
    return moved
