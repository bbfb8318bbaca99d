"""Invoices follow their orders through the table's stream: issued once when an order is paid (at
placement for cash on delivery) with the next gapless number and its PDF in S3, cancelled (number
kept) when the order is cancelled, and an invoiced order can no longer be edited."""
import boto3
import pytest

from chalicelib.domain import clock as clock_module
from chalicelib.settings import get_settings
from chalicelib.store import counters
from tests.support.orders import ADDRESS, GUEST, signed_payment
from tests.support.streams import deliver, raw_item, record

COMPANY_ADDRESS = {**ADDRESS, "company": "Roy SARL"}


@pytest.fixture
def invoicing(store_settings):
    """Turn invoicing on (for all buyers, or companies only)."""

    def enable(issue_for: str = "all"):
        store_settings(invoicing={"enabled": True, "issue_for": issue_for})

    return enable


def _order_key(order: dict) -> tuple[str, str]:
    return f"ORDER#{order['id']}", "ORDER"


def _modified(order: dict, old_image: dict) -> dict:
    """The order's MODIFY record with both images."""
    return record("MODIFY", *_order_key(order), old_image=old_image)


def _paid_and_streamed(api, admin_token, order: dict) -> dict:
    """Pay the order through the provider's webhook, then deliver the order's change as the stream
    would (old and new images). Returns the record delivered."""
    before = raw_item(*_order_key(order))
    reply = signed_payment(api, order, event_id=f"evt_{order['id']}", at=int(clock_module.now().timestamp()))
    assert reply.status == 200 and reply.json["payment_status"] == "paid", reply.json
    changed = _modified(order, before)
    assert deliver(changed) == {"batchItemFailures": []}
    return changed


def _order(api, admin_token, order_id: str) -> dict:
    return api.get(f"/admin/orders/{order_id}", token=admin_token).json


def _invoice(api, admin_token, number: int) -> dict:
    reply = api.get(f"/admin/invoices/{number}", token=admin_token)
    assert reply.status == 200, reply.json
    return reply.json


def _invoice_numbers(api, admin_token, query: str = "") -> list[int]:
    reply = api.get(f"/admin/invoices{query}", token=admin_token)
    assert reply.status == 200, reply.json
    return [i["number"] for i in reply.json["items"]]


def _stored_pdf(number: int) -> bytes:
    key = raw_item(f"INVOICE#{number:08d}", "INVOICE")["document_key"]["S"]
    return boto3.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)["Body"].read()


def _timeline_types(api, admin_token, order_id: str) -> list[str]:
    reply = api.get(f"/admin/orders/{order_id}/timeline?limit=100", token=admin_token)
    return [e["type"] for e in reply.json["items"]]


def test_paid_order_gets_invoice_1_with_its_pdf(api, admin_token, place, invoicing):
    # Given invoicing is on and a card order awaiting payment
    invoicing()
    order = place(guest=GUEST)
    # When it is paid and the stream delivers the change
    _paid_and_streamed(api, admin_token, order)
    # Then the order carries invoice 1, which is issued for the order's total with a download link
    assert _order(api, admin_token, order["id"])["invoice_number"] == 1
    invoice = _invoice(api, admin_token, 1)
    assert invoice["status"] == "issued" and invoice["order_id"] == order["id"]
    assert invoice["order_number"] == order["number"]
    assert invoice["total"] == order["total"] == 2990 and invoice["currency"] == "EUR"
    assert [(line["sku"], line["quantity"], line["total"]) for line in invoice["lines"]] == [("MUG-01", 2, 2500)]
    assert invoice["download_url"] and "invoices/00000001.pdf" in invoice["download_url"]
    assert "document_key" not in invoice
    # And the PDF is in the documents bucket
    assert _stored_pdf(1).startswith(b"%PDF")
    assert "invoice_issued" in _timeline_types(api, admin_token, order["id"])


def test_redelivered_change_issues_nothing_new(api, admin_token, place, invoicing):
    # Given a paid order whose change the stream delivered once (invoice 1)
    invoicing()
    order = place(guest=GUEST)
    changed = _paid_and_streamed(api, admin_token, order)
    # When the stream delivers the same record again
    assert deliver(changed) == {"batchItemFailures": []}
    # Then there is still one invoice, and no number was used
    assert _invoice_numbers(api, admin_token) == [1]
    assert counters.current("invoice") == 1
    assert _order(api, admin_token, order["id"])["invoice_number"] == 1
    assert _timeline_types(api, admin_token, order["id"]).count("invoice_issued") == 1


def test_a_stale_read_of_the_counter_takes_the_next_number_not_a_used_one(api, admin_token, place, invoicing,
                                                                         monkeypatch):
    # Given invoices 1 and 2 issued
    invoicing()
    first, second, third = place(guest=GUEST), place(guest=GUEST), place(guest=GUEST)
    _paid_and_streamed(api, admin_token, first)
    _paid_and_streamed(api, admin_token, second)
    # And an invoicer whose first read of the counter is stale: it still sees 1 (another invoicer
    # took 2 just after it read)
    real_current, reads = counters.current, []

    def stale_once(name: str) -> int:
        reads.append(name)
        return real_current(name) - 1 if len(reads) == 1 else real_current(name)

    monkeypatch.setattr(counters, "current", stale_once)
    # When the third order is paid
    _paid_and_streamed(api, admin_token, third)
    # Then the counter's condition refused number 2 (the counter had moved), and the invoicer took 3
    assert len(reads) == 2
    numbers = [_order(api, admin_token, o["id"])["invoice_number"] for o in (first, second, third)]
    assert numbers == [1, 2, 3] and real_current("invoice") == 3
    assert [_invoice(api, admin_token, n)["order_id"] for n in numbers] == [first["id"], second["id"], third["id"]]


def test_cash_on_delivery_order_is_invoiced_at_placement(api, admin_token, place, invoicing):
    # Given invoicing is on
    invoicing()
    # When a cash on delivery order is placed and the stream delivers its insertion
    order = place(guest=GUEST, payment_method="cash_on_delivery")
    assert order["payment_status"] == "unpaid"
    assert deliver(record("INSERT", *_order_key(order))) == {"batchItemFailures": []}
    # Then it is invoiced already
    assert _order(api, admin_token, order["id"])["invoice_number"] == 1
    assert _invoice(api, admin_token, 1)["order_id"] == order["id"]


def test_card_order_is_not_invoiced_before_it_is_paid(api, admin_token, place, invoicing):
    # Given invoicing is on
    invoicing()
    # When a card order is placed and the stream delivers its insertion
    order = place(guest=GUEST)
    assert deliver(record("INSERT", *_order_key(order))) == {"batchItemFailures": []}
    # Then no invoice is issued yet
    assert _order(api, admin_token, order["id"])["invoice_number"] is None
    assert _invoice_numbers(api, admin_token) == []


def test_no_invoice_when_invoicing_is_disabled(api, admin_token, place):
    # Given invoicing is off (the default)
    order = place(guest=GUEST)
    # When the order is paid and the change delivered
    _paid_and_streamed(api, admin_token, order)
    # Then no invoice exists, no number was used, and no PDF stored
    assert _order(api, admin_token, order["id"])["invoice_number"] is None
    assert _invoice_numbers(api, admin_token) == []
    assert counters.current("invoice") == 0
    assert boto3.client("s3").list_objects_v2(Bucket=get_settings().documents_bucket).get("KeyCount") == 0


def test_invoicing_for_companies_only_skips_private_buyers(api, admin_token, place, invoicing):
    # Given the store invoices companies only, and two paid orders: a private buyer's, then a company's
    invoicing("companies")
    private = place(guest=GUEST, billing_address=ADDRESS)
    company = place(guest={**GUEST, "email": "buyer@roy.example"}, billing_address=COMPANY_ADDRESS)
    # When both are paid and their changes delivered
    _paid_and_streamed(api, admin_token, private)
    _paid_and_streamed(api, admin_token, company)
    # Then only the company's order is invoiced, under number 1
    assert _order(api, admin_token, private["id"])["invoice_number"] is None
    assert _order(api, admin_token, company["id"])["invoice_number"] == 1
    invoice = _invoice(api, admin_token, 1)
    assert invoice["order_id"] == company["id"] and invoice["buyer"]["address"]["company"] == "Roy SARL"
    assert _invoice_numbers(api, admin_token) == [1]


def test_cancelling_an_invoiced_order_cancels_its_invoice_and_keeps_its_number(api, admin_token, place, invoicing):
    # Given a paid order, not shipped, with invoice 1
    invoicing()
    order = place(guest=GUEST)
    _paid_and_streamed(api, admin_token, order)
    # When staff cancel it and the stream delivers that change
    before = raw_item(*_order_key(order))
    reply = api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token)
    assert reply.status == 200, reply.json
    changed = _modified(order, before)
    assert deliver(changed) == {"batchItemFailures": []}
    # Then invoice 1 is cancelled, with when and why, and keeps its number
    invoice = _invoice(api, admin_token, 1)
    assert invoice["status"] == "cancelled" and invoice["number"] == 1
    assert invoice["cancelled_at"] and invoice["cancellation_reason"] == "order cancelled"
    assert _order(api, admin_token, order["id"])["invoice_number"] == 1
    # And the order's timeline has both the issue and the cancellation, once each
    types = _timeline_types(api, admin_token, order["id"])
    assert types.count("invoice_issued") == 1 and types.count("invoice_cancelled") == 1
    # And delivering the cancellation again changes nothing
    assert deliver(changed) == {"batchItemFailures": []}
    assert _timeline_types(api, admin_token, order["id"]).count("invoice_cancelled") == 1
    assert _invoice_numbers(api, admin_token) == [1]


def test_editing_an_invoiced_order_is_refused(api, admin_token, place, invoicing):
    # Given an order with invoice 1
    invoicing()
    order = place(guest=GUEST)
    _paid_and_streamed(api, admin_token, order)
    # When staff add a line to it
    reply = api.post(f"/admin/orders/{order['id']}/items", {"sku": "TEA-01", "quantity": 1}, token=admin_token)
    # Then it is refused, and the order and its invoice are as they were
    assert reply.status == 409, reply.json
    assert [line["sku"] for line in _order(api, admin_token, order["id"])["lines"]] == ["MUG-01"]
    assert _invoice(api, admin_token, 1)["total"] == 2990


def test_invoices_list_filters_by_issue_date(api, admin_token, place, invoicing, clock):
    # Given invoices 1, 2 and 3 issued on three consecutive days
    invoicing()
    for day in range(3):
        order = place(guest={**GUEST, "email": f"guest{day}@example.com"})
        _paid_and_streamed(api, admin_token, order)
        clock.advance(days=1)
    # When staff list invoices by issue date
    # Then each range holds the invoices issued in it, newest first
    assert _invoice_numbers(api, admin_token) == [3, 2, 1]
    assert _invoice_numbers(api, admin_token, "?from=2026-11-03&to=2026-11-03") == [2]
    assert _invoice_numbers(api, admin_token, "?from=2026-11-03") == [3, 2]
    assert _invoice_numbers(api, admin_token, "?to=2026-11-03") == [2, 1]
    assert _invoice_numbers(api, admin_token, "?from=2026-11-05") == []
    assert _invoice(api, admin_token, 2)["issued_at"].startswith("2026-11-03")


def test_invoices_list_pages_with_a_token(api, admin_token, place, invoicing):
    # Given three invoices
    invoicing()
    for n in range(3):
        _paid_and_streamed(api, admin_token, place(guest={**GUEST, "email": f"guest{n}@example.com"}))
    # When staff read them two at a time
    first = api.get("/admin/invoices?limit=2", token=admin_token).json
    second = api.get(f"/admin/invoices?limit=2&next_token={first['next_token']}", token=admin_token).json
    # Then the pages hold them all once, newest first
    assert [i["number"] for i in first["items"] + second["items"]] == [3, 2, 1]


@pytest.mark.parametrize("number", ["999", "abc", "-1", "1.5"])
def test_unknown_invoice_is_not_found(api, admin_token, number):
    reply = api.get(f"/admin/invoices/{number}", token=admin_token)
    assert reply.status == 404, reply.json
    assert reply.error_code == "not_found"


@pytest.mark.parametrize("path", ["/admin/invoices", "/admin/invoices/1"])
def test_invoices_need_a_staff_token(api, path):
    assert api.get(path).status == 401


# The stream lags behind the order: the invoice follows the order as it is, not the record's image

def test_a_cash_order_cancelled_before_the_stream_runs_gets_no_invoice(api, admin_token, place, invoicing):
    invoicing()
    order = place(guest=GUEST, payment_method="cash_on_delivery")
    placed = record("INSERT", *_order_key(order))
    api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token)
    assert deliver(placed, _modified(order, placed["dynamodb"]["NewImage"])) == {"batchItemFailures": []}
    assert _order(api, admin_token, order["id"])["invoice_number"] is None and _invoice_numbers(api, admin_token) == []


def test_a_line_added_before_the_stream_runs_is_on_the_invoice(api, admin_token, place, invoicing):
    invoicing()
    order = place(guest=GUEST, payment_method="wire_transfer")
    before = raw_item(*_order_key(order))
    api.post(f"/admin/orders/{order['id']}/status", {"status": "paid"}, token=admin_token)
    paid = _modified(order, before)
    api.post(f"/admin/orders/{order['id']}/items", {"sku": "BAG-01", "quantity": 1}, token=admin_token)
    assert deliver(paid) == {"batchItemFailures": []}
    current = _order(api, admin_token, order["id"])
    assert _invoice(api, admin_token, current["invoice_number"])["total"] == current["total"] == 2990 + 2000


def test_a_cancelled_invoice_gets_its_cancelled_pdf_even_after_a_failed_upload(api, admin_token, place, invoicing,
                                                                               monkeypatch):
    invoicing()
    order = place(guest=GUEST, payment_method="cash_on_delivery")
    assert deliver(record("INSERT", *_order_key(order))) == {"batchItemFailures": []}
    before = raw_item(*_order_key(order))
    api.post(f"/admin/orders/{order['id']}/status", {"status": "cancelled"}, token=admin_token)
    cancelled = _modified(order, before)
    # When the upload of the cancelled PDF fails once
    from chalicelib.services import invoices

    real_client = invoices.client

    class S3Down:
        def put_object(self, **_):
            raise RuntimeError("S3 is down")

    monkeypatch.setattr(invoices, "client", lambda service: S3Down())
    unrelated = record("MODIFY", "PRODUCT#MUG-01", "PRODUCT")
    assert deliver(cancelled, unrelated)["batchItemFailures"] == [{"itemIdentifier": cancelled["dynamodb"]["SequenceNumber"]}]
    monkeypatch.setattr(invoices, "client", real_client)
    # Then the retry stores it: the invoice is cancelled and its PDF says so
    assert deliver(cancelled) == {"batchItemFailures": []}
    number = _order(api, admin_token, order["id"])["invoice_number"]
    key = raw_item(f"INVOICE#{number:08d}", "INVOICE")["document_key"]["S"]
    assert _invoice(api, admin_token, number)["status"] == "cancelled" and key.endswith("-cancelled.pdf")
    assert boto3.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)["Body"].read().startswith(b"%PDF")
