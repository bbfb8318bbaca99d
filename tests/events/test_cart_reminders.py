"""Abandoned-cart reminders: one per idle period, whatever the job does; never for carts without an email."""
import contextlib

from chalicelib.domain.mail import MailStatus
from chalicelib.services import cart_reminders
from chalicelib.store import carts as cart_repo
from tests.support.schedules import run_schedule

PASSWORD = "a long enough password"


def _run():
    return run_schedule("send_cart_reminders")


def _shopper_cart(api, email="lea@example.com", lines=(("MUG-01", 2),)):
    api.post("/store/customers", {"email": email, "password": PASSWORD, "first_name": "Lea", "last_name": "Roy"})
    token = api.post("/store/login", {"email": email, "password": PASSWORD}).json["token"]
    cart = api.post("/store/carts", {}, token=token).json
    for sku, quantity in lines:
        api.post(f"/store/carts/{cart['id']}/items", {"sku": sku, "quantity": quantity}, token=token)
    return cart, token


def _reminders(api, admin_token, customer_id):
    return [e for e in api.get(f"/admin/customers/{customer_id}/emails", token=admin_token).json["items"]
            if e["template"] == "cart_reminder"]


def test_an_idle_cart_gets_one_reminder_however_often_the_job_runs(api, admin_token, catalogue, clock):
    cart, _ = _shopper_cart(api)
    clock.advance(minutes=59)
    assert _run() == {"queued": 0}  # the default delay is 60 minutes
    clock.advance(minutes=2)
    assert _run() == {"queued": 1}
    assert _run() == {"queued": 0}
    clock.advance(hours=5)
    assert _run() == {"queued": 0}
    [reminder] = _reminders(api, admin_token, cart["customer_id"])
    assert reminder["status"] == MailStatus.QUEUED


def test_a_cart_touched_again_is_reminded_again_after_a_new_idle_period(api, admin_token, catalogue, clock):
    cart, token = _shopper_cart(api)
    clock.advance(minutes=61)
    assert _run() == {"queued": 1}
    api.post(f"/store/carts/{cart['id']}/items", {"sku": "TEA-01", "quantity": 1}, token=token)
    clock.advance(minutes=30)
    assert _run() == {"queued": 0}
    clock.advance(minutes=31)
    assert _run() == {"queued": 1}
    assert len(_reminders(api, admin_token, cart["customer_id"])) == 2


def test_guest_carts_empty_carts_and_checked_out_carts_get_no_reminder(api, admin_token, catalogue, clock):
    guest = api.post("/store/carts", {}).json
    api.post(f"/store/carts/{guest['id']}/items", {"sku": "MUG-01", "quantity": 1}, headers={"X-Cart-Token": guest["cart_token"]})
    _shopper_cart(api, "empty@example.com", lines=())
    bought, token = _shopper_cart(api, "bought@example.com")
    api.post(f"/store/carts/{bought['id']}/checkout", {"payment_method": "wire_transfer",
                                                       "shipping_address": {"name": "B", "line1": "1 St",
                                                                            "city": "Lyon", "country": "FR"}},
             token=token)
    clock.advance(hours=3)
    assert _run() == {"queued": 0}


def test_changing_the_delay_applies_to_carts_already_waiting(api, admin_token, catalogue, clock):
    _shopper_cart(api)
    clock.advance(minutes=40)
    assert _run() == {"queued": 0}
    assert api.patch("/admin/settings", {"abandoned_cart_delay_minutes": 30}, token=admin_token).status == 200
    assert _run() == {"queued": 1}
    for bad in (29, 181):
        assert api.patch("/admin/settings", {"abandoned_cart_delay_minutes": bad}, token=admin_token).status == 422


def test_two_runs_that_read_the_same_due_cart_send_once(api, admin_token, catalogue, clock):
    cart, _ = _shopper_cart(api)
    clock.advance(minutes=61)
    # Given two overlapping runs that both read the cart as due
    [seen_by_first] = cart_repo.reminders_due("9999", 10)
    [seen_by_second] = cart_repo.reminders_due("9999", 10)
    from chalicelib.domain.mail import queue_mail

    first = cart_repo.mark_reminded(seen_by_first, "2026-11-02T10:01:00.000Z", queue_mail(cart["customer_id"], "cart_reminder"))
    second = cart_repo.mark_reminded(seen_by_second, "2026-11-02T10:01:00.000Z", queue_mail(cart["customer_id"], "cart_reminder"))
    # Then only one takes the reminder and queues its email
    assert (first, second) == (True, False)
    assert len(_reminders(api, admin_token, cart["customer_id"])) == 1


def test_a_run_that_stops_half_way_leaves_no_duplicate(api, admin_token, catalogue, clock, monkeypatch):
    first, _ = _shopper_cart(api, "one@example.com")
    second, _ = _shopper_cart(api, "two@example.com")
    clock.advance(minutes=61)
    real = cart_repo.mark_reminded
    calls = []

    def crash_on_second(cart, at, mail):
        calls.append(cart.id)
        if len(calls) == 2:
            raise RuntimeError("Lambda timed out")
        return real(cart, at, mail)

    monkeypatch.setattr(cart_repo, "mark_reminded", crash_on_second)
    with contextlib.suppress(RuntimeError):
        cart_reminders.send_cart_reminders()
    monkeypatch.setattr(cart_repo, "mark_reminded", real)
    assert cart_reminders.send_cart_reminders() == 1  # only the one the crashed run did not reach
    assert cart_reminders.send_cart_reminders() == 0
    for cart in (first, second):
        assert len(_reminders(api, admin_token, cart["customer_id"])) == 1


def test_a_deleted_customers_cart_goes_and_never_holds_up_reminders(api, admin_token, catalogue, clock):
    from tests.support.streams import deliver, raw_item, record

    gone, _ = _shopper_cart(api, "gone@example.com")
    kept, _ = _shopper_cart(api, "kept@example.com")
    clock.advance(minutes=61)
    # When the first customer is deleted, before the stream has purged anything, one run can only remind the other
    old_image = raw_item(f"CUST#{gone['customer_id']}", "PROFILE")
    assert api.delete(f"/admin/customers/{gone['customer_id']}", token=admin_token).status == 204
    assert cart_reminders.send_cart_reminders(limit=1) + cart_reminders.send_cart_reminders(limit=1) == 1
    assert len(_reminders(api, admin_token, kept["customer_id"])) == 1
    # And once the stream delivers the deletion, the cart is gone too
    assert deliver(record("REMOVE", f"CUST#{gone['customer_id']}", "PROFILE", old_image=old_image)) == {"batchItemFailures": []}
    assert api.get(f"/admin/carts/{gone['id']}", token=admin_token).status == 404
