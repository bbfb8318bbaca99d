"""What the reports see of an order record: its `OrderFacts` (chalicelib/domain/reports.py).

The facts hold only what is fixed on the order (its placed day, customer key, group at placement,
country of its address), so the old and the new image of a change give facts that differ only where
the order changed: an edit moves the report items by its difference, and nothing else."""
from chalicelib.domain.orders import Order
from chalicelib.domain.reports import FactLine, OrderFacts


def order_country(order: Order) -> str | None:
    """Where the order goes: the shipping address's country, else the billing address's."""
    for address in (order.shipping_address, order.billing_address):
        if address and address.get("country"):
            return address["country"]
    return None


def order_facts(order: Order | None) -> OrderFacts | None:
    if order is None:
        return None
    lines = tuple(FactLine(sku=line.sku, name=line.name, quantity=line.quantity, unit_price=line.unit_price,
                           discount=line.discount) for line in order.lines)
    customer_key = order.report_customer_key or order.id
    return OrderFacts(
        order_id=order.id, customer_key=customer_key, is_guest=customer_key == order.id,  # a guest's entry id = the order's
        placed_day=order.placed_day, status=order.status, payment_status=order.payment_status,
        payment_method=order.payment_method, delivery_method=order.delivery_method, group_id=order.customer_group_id,
        country=order_country(order), currency=order.currency, lines=lines,
        order_discount=order.discount - sum(line.discount for line in order.lines), shipping=order.shipping,
        total=order.total, refunded_day=order.refunded_day, is_test=order.is_test)
