"""Invoice numbers under concurrent payments: 1..N with no gap and no repeat, one per order.

Runs on DynamoDB Local only (tests/engine/, see test_counters.py): the gapless counter relies on
the engine refusing a transaction whose condition on the counter another one just broke."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.services import invoices, orders
from chalicelib.store import counters
from tests.support.orders import GUEST

ORDERS = 50


def test_concurrent_payments_issue_invoices_1_to_n_each_once(api, admin_token, place, store_settings):
    # Given 50 card orders awaiting payment and invoicing on
    placed = [place(guest={**GUEST, "email": f"guest{n}@example.com"}) for n in range(ORDERS)]
    store_settings(invoicing={"enabled": True, "issue_for": "all"})

    def pay_and_stream(order: dict) -> None:
        orders.apply_payment(order["id"], f"evt_{order['id']}", True, order["total"], order["currency"])
        invoices.on_order_changed(order["id"])

    # When all are paid at the same time, each change handled as the stream would
    with ThreadPoolExecutor(12) as pool:
        list(pool.map(pay_and_stream, placed))
    # Then the invoice numbers are exactly 1..50, each order with a different one
    numbers = {o["id"]: api.get(f"/admin/orders/{o['id']}", token=admin_token).json["invoice_number"] for o in placed}
    assert sorted(numbers.values()) == list(range(1, ORDERS + 1))
    assert counters.current("invoice") == ORDERS
    # And each invoice names its own order, and the list holds all 50
    for order_id, number in numbers.items():
        assert invoices.get_invoice(number).order_id == order_id
    listed = api.get("/admin/invoices?limit=100", token=admin_token).json
    assert sorted(i["number"] for i in listed["items"]) == list(range(1, ORDERS + 1))
    assert listed["next_token"] is None
