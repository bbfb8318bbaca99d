"""Agents prepare a cart for a customer, send a one-click checkout link, or check out for them."""
import pytest

from tests.support.api import staff_token
from tests.support.orders import ADDRESS

PASSWORD = "a long enough password"


@pytest.fixture
def customer(api, admin_token):
    """A registered customer with a default shipping address."""
    created = api.post("/store/customers", {"email": "lea@example.com", "password": PASSWORD, "first_name": "Lea",
                                            "last_name": "Roy", "phone": "+33 6 12 34 56 78"}).json
    api.post(f"/admin/customers/{created['id']}/addresses", {**ADDRESS, "default_shipping": True}, token=admin_token)
    return created


@pytest.fixture
def agent():
    return staff_token("agent", subject="ann")


def _prepared_cart(api, customer, agent, lines=(("MUG-01", 2),)):
    cart = api.post(f"/admin/customers/{customer['id']}/carts", token=agent)
    assert cart.status == 201, cart.json
    for sku, quantity in lines:
        assert api.post(f"/admin/carts/{cart.json['id']}/items", {"sku": sku, "quantity": quantity}, token=agent).status == 200
    return cart.json["id"]


def test_an_agent_prepares_a_cart_with_schedule_and_attribution(api, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent, [("MUG-01", 1), ("TEA-01", 3)])
    api.patch(f"/admin/carts/{cart_id}/items/MUG-01", {"quantity": 2}, token=agent)
    api.delete(f"/admin/carts/{cart_id}/items/TEA-01", token=agent)
    cart = api.patch(f"/admin/carts/{cart_id}", {"schedule": {"kind": "recurring", "frequency": "monthly"},
                                                 "attribution": {"affiliate": "blog-42"}}, token=agent).json
    assert cart["customer_id"] == customer["id"] and cart["total"] == 2500
    assert cart["schedule"] == {"kind": "recurring", "frequency": "monthly"}
    assert cart["attribution"] == {"channel": "agent", "agent_id": "staff:ann", "affiliate": "blog-42"}
    assert api.get(f"/admin/carts/{cart_id}", token=staff_token("support")).json == cart
    # The customer sees the same cart in the storefront
    token = api.post("/store/login", {"email": "lea@example.com", "password": PASSWORD}).json["token"]
    seen = api.get(f"/store/carts/{cart_id}", token=token).json
    assert seen["lines"] == cart["lines"] and seen["attribution"] == {"channel": "agent", "affiliate": "blog-42"}


@pytest.mark.parametrize("change", [{"schedule": {"kind": "recurring"}}, {"schedule": {"kind": "once", "frequency": "weekly"}},
                                    {"schedule": {"kind": "recurring", "frequency": "daily"}},
                                    {"attribution": {"agent_id": "me"}},
                                    {"coupon": "NOPE"}, {"unknown": 1}])
def test_bad_cart_changes_are_refused(api, catalogue, customer, agent, change):
    cart_id = _prepared_cart(api, customer, agent)
    before = api.get(f"/admin/carts/{cart_id}", token=agent).json
    assert api.patch(f"/admin/carts/{cart_id}", change, token=agent).status == 422
    assert api.get(f"/admin/carts/{cart_id}", token=agent).json == before


def test_only_admins_and_agents_prepare_carts(api, catalogue, customer, agent):
    support = staff_token("support")
    assert api.post(f"/admin/customers/{customer['id']}/carts", token=support).status == 403
    assert api.get(f"/admin/customers/{customer['id']}/carts", token=agent).json["items"] == []
    cart_id = _prepared_cart(api, customer, agent)
    before = api.get(f"/admin/carts/{cart_id}", token=agent).json
    for reply in (api.post(f"/admin/carts/{cart_id}/items", {"sku": "TEA-01", "quantity": 1}, token=support),
                  api.patch(f"/admin/carts/{cart_id}", {"attribution": {"channel": "x"}}, token=support),
                  api.post(f"/admin/carts/{cart_id}/checkout-link", {}, token=support),
                  api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "wire_transfer"}, token=support)):
        assert reply.status == 403
    # Then the cart is as the agent left it, still open, and no order was placed
    assert api.get(f"/admin/carts/{cart_id}", token=agent).json == before and before["state"] == "open"
    assert api.get("/admin/orders", token=agent).json["items"] == []
    assert api.post("/admin/customers/NOPE/carts", token=agent).status == 404
    assert api.get("/admin/carts/NOPE", token=agent).status == 404


def test_a_checkout_link_logs_the_customer_in_with_everything_filled_in(api, admin_token, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent)
    link = api.post(f"/admin/carts/{cart_id}/checkout-link", {"send_email": True}, token=agent)
    assert link.status == 201 and link.json["url"].endswith(link.json["token"])
    emails = api.get(f"/admin/customers/{customer['id']}/emails", token=admin_token).json["items"]
    assert "checkout_link" in {e["template"] for e in emails}
    opened = api.get(f"/store/checkout-links/{link.json['token']}")
    assert opened.status == 200, opened.json
    body = opened.json
    assert body["customer"]["email"] == "lea@example.com" and body["shipping_address"]["line1"] == ADDRESS["line1"]
    assert body["cart"]["id"] == cart_id and body["cart"]["total"] == 2500
    # The token it gives is the customer's: they pay by card themselves
    order = api.post(f"/store/carts/{cart_id}/checkout", {"payment_method": "card"}, token=body["customer_token"])
    assert order.status == 201 and order.json["customer_id"] == customer["id"]
    assert order.json["shipping_address"]["line1"] == ADDRESS["line1"]
    staff_view = api.get(f"/admin/orders/{order.json['id']}", token=admin_token).json
    assert staff_view["attribution"]["agent_id"] == "staff:ann"
    # Then the link is used up
    again = api.get(f"/store/checkout-links/{link.json['token']}")
    assert again.status == 410 and again.error_code == "gone"


def test_expired_or_tampered_links_are_refused(api, catalogue, customer, agent, clock):
    cart_id = _prepared_cart(api, customer, agent)
    token = api.post(f"/admin/carts/{cart_id}/checkout-link", {"expires_in_hours": 2}, token=agent).json["token"]
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}xx"
    assert api.get(f"/store/checkout-links/{forged}").status == 401
    assert api.get("/store/checkout-links/garbage").status == 401
    clock.advance(hours=3)
    expired = api.get(f"/store/checkout-links/{token}")
    assert expired.status == 410 and "expired" in expired.json["error"]["message"]
    assert api.post(f"/admin/carts/{cart_id}/checkout-link", {"expires_in_hours": 0}, token=agent).status == 422
    assert api.post(f"/admin/carts/{cart_id}/checkout-link", {"expires_in_hours": 169}, token=agent).status == 422


def test_a_link_for_a_blocked_customer_does_not_log_them_in(api, admin_token, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent)
    token = api.post(f"/admin/carts/{cart_id}/checkout-link", {}, token=agent).json["token"]
    api.patch(f"/admin/customers/{customer['id']}", {"status": "blocked"}, token=admin_token)
    assert api.get(f"/store/checkout-links/{token}").status == 403


def test_staff_check_out_in_the_customers_persona_but_not_by_card(api, admin_token, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent)
    by_card = api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "card"}, token=agent)
    assert by_card.status == 409 and "checkout-link" in by_card.json["error"]["message"]
    order = api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "cash_on_delivery"}, token=agent,
                     headers={"Idempotency-Key": "phone-call-1"})
    assert order.status == 201, order.json
    assert order.json["customer_id"] == customer["id"] and order.json["customer"]["email"] == "lea@example.com"
    assert order.json["attribution"]["agent_id"] == "staff:ann"
    assert order.json["shipping_address"]["line1"] == ADDRESS["line1"]
    retried = api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "cash_on_delivery"}, token=agent,
                       headers={"Idempotency-Key": "phone-call-1"})
    assert retried.status == 201 and retried.json["id"] == order.json["id"]
    assert len(api.get(f"/admin/customers/{customer['id']}/orders", token=admin_token).json["items"]) == 1


def test_a_recurring_cart_becomes_a_subscription_at_checkout(api, admin_token, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent, [("TEA-01", 2)])
    api.patch(f"/admin/carts/{cart_id}", {"schedule": {"kind": "recurring", "frequency": "monthly"}}, token=agent)
    order = api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "wire_transfer"}, token=agent).json
    [subscription] = api.get(f"/admin/customers/{customer['id']}/subscriptions", token=admin_token).json["items"]
    assert subscription["frequency"] == "monthly" and subscription["status"] == "active"
    assert subscription["products"] == [{"sku": "TEA-01", "quantity": 2}] and subscription["first_order_id"] == order["id"]
    assert subscription["next_renewal_at"] > order["created_at"]


def test_a_one_time_cart_makes_no_subscription(api, admin_token, catalogue, customer, agent):
    cart_id = _prepared_cart(api, customer, agent)
    api.patch(f"/admin/carts/{cart_id}", {"schedule": {"kind": "once"}}, token=agent)
    assert api.post(f"/admin/carts/{cart_id}/checkout", {"payment_method": "wire_transfer"}, token=agent).status == 201
    assert api.get(f"/admin/customers/{customer['id']}/subscriptions", token=admin_token).json["items"] == []
