"""Staff manage customer records: create, read, change, delete, list."""
import pytest

from tests.support.api import staff_token


def test_create_customer_returns_the_record(api, admin_token):
    # When staff create a customer by hand
    reply = api.post("/admin/customers", {"email": "Joanna.Muller@Example.com", "first_name": "Joanna",
                                          "last_name": "Müller", "phone": "+359 887 123 456", "accepts_marketing": True},
                     token=admin_token)
    # Then the record comes back with the contract's fields and empty stats
    assert reply.status == 201
    customer = reply.json
    assert customer["email"] == "Joanna.Muller@example.com"  # domain normalised, local part kept
    assert customer["registered"] is False and customer["status"] == "active" and customer["group_id"] == "default"
    assert customer["stats"] == {"order_count": 0, "total_spent": 0, "average_order_value": 0,
                                 "last_order_at": None, "last_orders": []}
    assert {"id", "tags", "custom_fields", "comment", "has_test_orders", "created_at", "updated_at"} <= set(customer)


def test_get_customer_reads_what_was_written(api, admin_token, new_customer):
    created = new_customer(company="ACME", comment="prefers phone calls")
    reply = api.get(f"/admin/customers/{created['id']}", token=admin_token)
    assert reply.status == 200
    assert reply.json == created


def test_get_unknown_customer_is_404(api, admin_token):
    reply = api.get("/admin/customers/01JUNKNOWN000000000000000", token=admin_token)
    assert reply.status == 404 and reply.error_code == "not_found"


def test_duplicate_email_is_409_whatever_the_case(api, admin_token, new_customer):
    # Given a customer with an email
    new_customer(email="ann@example.com")
    # When staff create another with the same email in other case
    reply = api.post("/admin/customers", {"email": "ANN@Example.COM", "first_name": "A", "last_name": "B"}, token=admin_token)
    # Then it is a conflict, and only one customer exists
    assert reply.status == 409 and reply.error_code == "conflict"
    assert len(api.get("/admin/customers", token=admin_token).json["items"]) == 1


def test_patch_changes_only_the_fields_sent_and_records_them(api, admin_token, new_customer):
    created = new_customer(phone="+1 555 0100 200")
    reply = api.patch(f"/admin/customers/{created['id']}", {"first_name": "Anna", "comment": "VIP"}, token=admin_token)
    assert reply.status == 200
    assert reply.json["first_name"] == "Anna" and reply.json["comment"] == "VIP"
    assert reply.json["phone"] == "+1 555 0100 200" and reply.json["last_name"] == created["last_name"]
    assert reply.json["updated_at"] >= created["updated_at"]
    timeline = api.get(f"/admin/customers/{created['id']}/timeline", token=admin_token).json["items"]
    # Then the timeline tells the comment change apart from the other fields
    by_type = {e["type"]: e for e in timeline}
    assert [e["type"] for e in timeline][-1] == "customer_created" and len(timeline) == 3
    assert by_type["customer_updated"]["data"]["changes"] == {"first_name": {"before": "Ann", "after": "Anna"}}
    assert by_type["comment_changed"]["data"] == {"before": "", "after": "VIP"}
    assert by_type["customer_updated"]["actor"] == "staff:staff-1"


def test_patch_can_clear_an_optional_field(api, admin_token, new_customer):
    created = new_customer(company="ACME")
    reply = api.patch(f"/admin/customers/{created['id']}", {"company": None}, token=admin_token)
    assert reply.status == 200 and reply.json["company"] is None
    assert api.get(f"/admin/customers/{created['id']}", token=admin_token).json["company"] is None


def test_changing_email_frees_the_old_one_and_takes_the_new_one(api, admin_token, new_customer):
    first = new_customer(email="old@example.com")
    new_customer(email="taken@example.com")
    # Taking someone else's email is refused
    assert api.patch(f"/admin/customers/{first['id']}", {"email": "TAKEN@example.com"}, token=admin_token).status == 409
    # Moving to a free email works, and the old one can be used again
    assert api.patch(f"/admin/customers/{first['id']}", {"email": "new@example.com"}, token=admin_token).status == 200
    assert api.post("/admin/customers", {"email": "old@example.com", "first_name": "O", "last_name": "P"},
                    token=admin_token).status == 201
    assert api.post("/admin/customers", {"email": "new@example.com", "first_name": "N", "last_name": "P"},
                    token=admin_token).status == 409


def test_delete_removes_the_customer_and_frees_the_email(api, admin_token, new_customer):
    created = new_customer(email="gone@example.com")
    assert api.delete(f"/admin/customers/{created['id']}", token=admin_token).status == 204
    assert api.get(f"/admin/customers/{created['id']}", token=admin_token).status == 404
    assert api.get(f"/admin/customers/{created['id']}/timeline", token=admin_token).status == 404
    assert api.delete(f"/admin/customers/{created['id']}", token=admin_token).status == 404
    assert api.post("/admin/customers", {"email": "gone@example.com", "first_name": "G", "last_name": "H"},
                    token=admin_token).status == 201


def test_list_is_sorted_by_last_name_when_nobody_ordered_and_pages_through(api, admin_token, new_customer):
    # Given five customers with no orders
    for last_name in ("Zeta", "émile", "Adams", "Müller", "Brown"):
        new_customer(last_name=last_name)
    # When staff page through two at a time
    names, token = [], None
    for _ in range(5):
        query = "/admin/customers?limit=2" + (f"&next_token={token}" if token else "")
        page = api.get(query, token=admin_token).json
        names += [c["last_name"] for c in page["items"]]
        token = page["next_token"]
        if token is None:
            break
    # Then they come by last name, accents and case ignored, each once
    assert names == ["Adams", "Brown", "émile", "Müller", "Zeta"]


def _place_order(customer_id: str | None, created_at: str, total: int = 2500, is_test: bool = False, guest=None) -> dict:
    """An order of `total` (one line, no shipping) placed at `created_at` for a customer or a guest."""
    from datetime import datetime
    from unittest import mock

    from chalicelib.domain import clock
    from chalicelib.domain.orders import OrderLine
    from chalicelib.services import customers, orders

    customer = customers.get_customer(customer_id) if customer_id else None
    at = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    with mock.patch.object(clock, "now", lambda: at):
        placed = orders.place_order(orders.NewOrder(
            lines=[OrderLine(sku="GIFT-01", name="Gift card", quantity=1, unit_price=total)], payment_method="card",
            delivery_method="pickup", customer=customer, guest=guest, is_test=is_test), actor="checkout")
    return {"id": placed.id, "number": placed.number}


def test_list_puts_recent_buyers_first_and_customers_without_orders_last(api, admin_token, new_customer):
    never = new_customer(last_name="Aaron")
    old_buyer = new_customer(last_name="Young")
    recent_buyer = new_customer(last_name="Zimmer")
    # Given two customers whose last orders are on different days
    _place_order(old_buyer["id"], "2026-01-05T10:00:00.000Z")
    _place_order(recent_buyer["id"], "2026-03-01T10:00:00.000Z")
    # Then the most recent buyer comes first and the one who never ordered last
    ids = [c["id"] for c in api.get("/admin/customers", token=admin_token).json["items"]]
    assert ids == [recent_buyer["id"], old_buyer["id"], never["id"]]


def test_detail_shows_stats_and_the_three_newest_orders(api, admin_token, new_customer):
    # Given a customer with four orders
    created = new_customer()
    for day, total in [("01", 1000), ("02", 2000), ("03", 3000), ("04", 4001)]:
        _place_order(created["id"], f"2026-02-{day}T09:00:00.000Z", total=total)
    # When staff open the customer
    stats = api.get(f"/admin/customers/{created['id']}", token=admin_token).json["stats"]
    # Then the card counts all four and lists the three newest, newest first
    assert stats["order_count"] == 4 and stats["total_spent"] == 10001 and stats["average_order_value"] == 2500
    assert stats["last_order_at"] == "2026-02-04T09:00:00.000Z"
    assert [o["number"] for o in stats["last_orders"]] == [1004, 1003, 1002]
    timeline = api.get(f"/admin/customers/{created['id']}/timeline", token=admin_token).json["items"]
    assert [e["data"]["number"] for e in timeline if e["type"] == "order_placed"] == [1004, 1003, 1002, 1001]


def test_an_order_placed_twice_counts_once(api, admin_token, new_customer):
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.orders import OrderLine
    from chalicelib.services import customers, orders

    # Given a customer and an order placed with a given id (a retried checkout reuses its id)
    created = new_customer()
    new = orders.NewOrder(lines=[OrderLine(sku="GIFT-01", name="Gift card", quantity=1, unit_price=700)],
                          payment_method="card", delivery_method="pickup", customer=customers.get_customer(created["id"]),
                          order_id="01JORDER000000000000000001")
    orders.place_order(new, actor="checkout")
    # When it is placed again, it is refused and counts once
    with pytest.raises(Conflict):
        orders.place_order(new, actor="checkout")
    stats = api.get(f"/admin/customers/{created['id']}", token=admin_token).json["stats"]
    assert stats["order_count"] == 1 and stats["total_spent"] == 700


def test_a_garbage_page_token_is_400(api, admin_token):
    for token in ("garbage!!", "eyJhIjoxfQ", "W10"):
        reply = api.get(f"/admin/customers?next_token={token}", token=admin_token)
        assert reply.status == 400 and reply.error_code == "bad_request", token


def test_support_can_read_but_not_write(api, new_customer):
    created = new_customer()
    support = staff_token("support")
    before = api.get(f"/admin/customers/{created['id']}", token=support)
    assert before.status == 200
    assert api.get("/admin/customers", token=support).status == 200
    assert api.post("/admin/customers", {"email": "x@example.com", "first_name": "X", "last_name": "Y"},
                    token=support).status == 403
    assert api.patch(f"/admin/customers/{created['id']}", {"status": "blocked"}, token=support).status == 403
    assert api.delete(f"/admin/customers/{created['id']}", token=support).status == 403
    # Then nothing changed: the customer as it was, and no other one
    assert api.get(f"/admin/customers/{created['id']}", token=support).json == before.json
    assert [c["id"] for c in api.get("/admin/customers", token=support).json["items"]] == [created["id"]]


def test_agents_edit_but_only_admins_delete(api, new_customer):
    created = new_customer()
    agent = staff_token("agent")
    assert api.patch(f"/admin/customers/{created['id']}", {"first_name": "Bea"}, token=agent).status == 200
    reply = api.delete(f"/admin/customers/{created['id']}", token=agent)
    assert reply.status == 403 and reply.error_code == "forbidden"
    assert api.get(f"/admin/customers/{created['id']}", token=agent).json["first_name"] == "Bea"  # still there


def test_customer_tokens_do_not_open_the_admin_api(api, new_customer):
    from chalicelib.domain.tokens import issue_customer_token
    from chalicelib.settings import get_settings

    created = new_customer()
    customer_token = issue_customer_token(created["id"], get_settings().customer_token_secret, 3600)
    assert api.get(f"/admin/customers/{created['id']}", token=customer_token).status == 401
