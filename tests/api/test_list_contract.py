"""Lists as API.md promises them: every list takes `limit` and `next_token` and pages through all its
items; a page token that is not one is a 400. The orders list filters by any state name, as the
status change takes it."""
import pytest

import chalicelib.api  # noqa: F401  (registers every route)
from chalicelib.api import BLUEPRINTS
from chalicelib.api.routing import ROUTES
from tests.support.orders import ADDRESS, GUEST, signed_payment
from tests.support.world import build_world

_PREFIX = {id(bp): prefix for bp, prefix in BLUEPRINTS}


def _is_list(spec) -> bool:
    response = spec.response if not isinstance(spec.response, str) else None
    return spec.method == "GET" and (getattr(spec.response, "__args__", None) is not None
                                     or "next_token" in getattr(response, "__dataclass_fields__", {}))


LISTS = [_PREFIX[id(spec.blueprint)] + spec.path for spec in ROUTES if _is_list(spec)]


@pytest.fixture
def world(api, admin_token, stream):
    world = build_world(api, admin_token)
    # Two of everything a list shows, at least
    customer = f"/admin/customers/{world.ids['customer_id']}"
    for path, body in ((f"{customer}/addresses", {**ADDRESS, "line1": "2 Side St"}), (f"{customer}/notes", {"text": "Called."}),
                       ("/admin/custom-fields", {"key": "shoe_size", "label": "Shoe size", "type": "number"}),
                       ("/admin/custom-fields", {"key": "birthday", "label": "Birthday", "type": "date"}),
                       (f"{customer}/tickets", {"subject": "Wrong colour", "message": "Blue, not red."}),
                       (f"{customer}/reviews", {"sku": "TEA-01", "rating": 5, "text": "Lovely."}),
                       ("/admin/coupons", {"code": "AUTUMN5", "kind": "fixed", "value": 500}),
                       ("/admin/reports/saved", {"name": "Monthly", "report": "products", "range": "this_month"})):
        assert api.post(path, body, token=admin_token).status == 201, path
    assert api.post("/store/me/addresses", ADDRESS, token=world.customer_token).status == 201
    assert api.post("/store/me/addresses", {**ADDRESS, "city": "Paris"}, token=world.customer_token).status == 201
    order = {"customer_id": world.ids["customer_id"], "payment_method": "card", "lines": [{"sku": "BAG-01", "quantity": 1}],
             "shipping_address": ADDRESS}
    assert api.post("/admin/orders", order, token=admin_token).status == 201
    stream.deliver()  # what the stream keeps (the ordered products' sales) is there too
    return world


def _all_pages(api, path, token, headers=None):
    """Every page of a list at limit=1: the items, and how many pages."""
    items, pages, token_of_next = [], 0, None
    while True:
        query = "limit=1" + (f"&next_token={token_of_next}" if token_of_next else "")
        reply = api.get(f"{path}{'&' if '?' in path else '?'}{query}", token=token, headers=headers)
        assert reply.status == 200, (path, reply.json)
        assert len(reply.json["items"]) <= 1, path
        items += reply.json["items"]
        pages += 1
        token_of_next = reply.json["next_token"]
        if not token_of_next or pages > 60:
            return items, pages


def test_every_list_pages_through_all_its_items_with_limit_and_next_token(api, admin_token, world):
    # Given a shop with at least two objects of each kind a list shows
    assert len(LISTS) >= 25
    for template in LISTS:
        if template in ("/admin/reports/files",):  # files come from the nightly job: another test's story
            continue
        path = world.path(template)
        token = world.customer_token if path.startswith("/store/me") else admin_token
        if template == "/admin/orders":
            path += "?status=open"
        # When a client reads it one item at a time
        items, pages = _all_pages(api, path, token)
        # Then the pages hold every item once, as the whole list does
        whole = api.get(path, token=token).json["items"]
        assert items == whole, template
        assert pages >= len(whole), template
        # And a page token that is not one is a 400
        garbage = api.get(f"{path}{'&' if '?' in path else '?'}next_token=bm9wZQ", token=token)
        assert garbage.status == 400 and garbage.error_code == "bad_request", (template, garbage.json)


def test_ordered_products_take_a_limit_and_page_by_revenue(api, admin_token, world):
    # Given orders of three skus
    whole = api.get("/admin/ordered-products", token=admin_token)
    assert whole.status == 200 and len(whole.json["items"]) == 3 and whole.json["next_token"] is None
    # When staff ask for two at a time
    first = api.get("/admin/ordered-products?limit=2", token=admin_token)
    second = api.get(f"/admin/ordered-products?limit=2&next_token={first.json['next_token']}", token=admin_token)
    # Then they get the same rows in the same order (by revenue), two then one
    assert first.status == second.status == 200
    assert first.json["items"] + second.json["items"] == whole.json["items"]
    assert (len(first.json["items"]), second.json["next_token"]) == (2, None)
    assert api.get("/admin/ordered-products?limit=201", token=admin_token).status == 422


@pytest.mark.parametrize(("status", "axis"), [("paid", "payment_status"), ("awaiting_payment", "payment_status"),
                                               ("unfulfilled", "fulfillment_status"), ("open", "status")])
def test_orders_filter_by_any_state_name(api, admin_token, place, status, axis):
    # Given a paid order and an unpaid one
    paid, unpaid = place(guest=GUEST), place(guest=GUEST)
    assert signed_payment(api, paid).status == 200
    # When staff filter the orders by a state name of any axis, as they name it in a status change
    reply = api.get(f"/admin/orders?status={status}", token=admin_token)
    # Then they get the orders in that state on its axis
    assert reply.status == 200, reply.json
    expected = {o["id"] for o in (api.get(f"/admin/orders/{paid['id']}", token=admin_token).json,
                                  api.get(f"/admin/orders/{unpaid['id']}", token=admin_token).json) if o[axis] == status}
    assert {o["id"] for o in reply.json["items"]} == expected and expected


def test_orders_filter_by_two_names_of_one_axis_is_422(api, admin_token):
    reply = api.get("/admin/orders?status=paid&payment_status=refunded", token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error"
    assert api.get("/admin/orders?status=no_such_state", token=admin_token).status == 422
