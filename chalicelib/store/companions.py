"""What other repositories write in an order's transaction, told in domain terms: a checkout closes its
cart, uses its coupon and may start a subscription; a renewal moves its subscription on. Services name
these (domain records); only the store turns them into writes and a refusal into a domain error.

The order's repository stages them with `stage` and, when the transaction is cancelled, asks `refusal`
whether one of them was the cause."""
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.carts import CartClosed
from chalicelib.domain.coupons import CouponRedeemed
from chalicelib.domain.errors import DomainError, InvalidInput, OrderImportedAlready
from chalicelib.domain.order_imports import ImportedRows
from chalicelib.domain.subscriptions import SubscriptionRenewed, SubscriptionStarted
from chalicelib.store import carts, coupons, order_refs, subscriptions
from chalicelib.store.models import failed_conditions

Companion = CartClosed | CouponRedeemed | SubscriptionStarted | SubscriptionRenewed | ImportedRows


def stage(tx: TransactWrite, companion: Companion) -> None:
    """Add the companion's writes (with their conditions) to the order's transaction."""
    match companion:
        case CartClosed(cart=cart):
            carts.stage_save(tx, cart)
        case CouponRedeemed(coupon=coupon, customer_key=customer_key):
            coupons.stage_redemption(tx, coupon, customer_key)
        case SubscriptionStarted(subscription=subscription, actor=actor):
            subscriptions.stage_create(tx, subscription, actor)
        case SubscriptionRenewed():
            subscriptions.stage_renewed(tx, companion.subscription, companion.order_id, companion.next_renewal_at,
                                        companion.at)
        case ImportedRows():
            order_refs.stage_rows(tx, companion)


def refusal(error: TransactWriteError, staged: list[Companion]) -> DomainError | None:
    """The domain error for a transaction cancelled by a companion's condition (a coupon's limit first:
    the shopper can act on it), or None when none of them was the cause."""
    reason = coupons.exhausted_reason(error) if any(isinstance(c, CouponRedeemed) for c in staged) else None
    if reason:
        return InvalidInput(reason, [{"field": "coupon", "message": reason}])
    if any(isinstance(c, ImportedRows) for c in staged) and order_refs.already_imported(error):
        return OrderImportedAlready("This order (or these rows of it) was imported already.")
    failed = failed_conditions(error)
    if "cart" in failed and any(isinstance(c, CartClosed) for c in staged):
        return carts.changed_meanwhile()
    if "subscription" in failed and any(isinstance(c, SubscriptionStarted | SubscriptionRenewed) for c in staged):
        return subscriptions.changed_meanwhile()
    return None
