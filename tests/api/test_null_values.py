"""A change may leave any field out, but send null only where the record can hold one: anything else is a
422 naming the field, before anything is written. Reads never fail on data already stored, and dates
far from today are answered, never a 500."""
import pytest

import chalicelib.api  # noqa: F401  (registers every route)
from chalicelib.api import BLUEPRINTS
from chalicelib.api.routing import ROUTES, resolve
from chalicelib.domain.base import Changes, _takes_none
from chalicelib.settings import get_settings
from tests.support.world import build_world

_PREFIX = {id(bp): prefix for bp, prefix in BLUEPRINTS}
PATCHES = [spec for spec in ROUTES if spec.method == "PATCH"]


def _full_path(spec) -> str:
    return _PREFIX[id(spec.blueprint)] + spec.path


def _refuses_null(model, name: str) -> bool:
    if issubclass(model, Changes):
        return name not in model.NULLABLE
    return not _takes_none(model.model_fields[name].annotation)


def _table(aws) -> list[dict]:
    """Every item of the table (a test may Scan): what a refused request must leave as it was."""
    pages = aws.get_paginator("scan").paginate(TableName=get_settings().table_name, ConsistentRead=True)
    return sorted((item for page in pages for item in page["Items"]), key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


@pytest.fixture
def world(api, admin_token):
    return build_world(api, admin_token)


def test_every_patch_body_is_a_change_that_refuses_null_by_default():
    # Given the PATCH routes whose body fields may all be left out
    partial = [spec for spec in PATCHES if all(not f.is_required() for f in resolve(spec.body).model_fields.values())]
    assert len(partial) >= 15
    # Then each body is a Changes: null is refused unless the model names the field in NULLABLE
    assert [spec.path for spec in partial if not issubclass(resolve(spec.body), Changes)] == []


def test_patch_with_null_for_a_field_the_record_cannot_hold_is_422_and_writes_nothing(api, aws, admin_token, world):
    # Given a shop with one object of every kind
    before = _table(aws)
    refused = {}
    for spec in PATCHES:
        # And the fields of each PATCH route's body that cannot be null
        model = resolve(spec.body)
        names = [info.alias or name for name, info in model.model_fields.items() if _refuses_null(model, name)]
        assert names, f"{spec.path}: a body with nothing to refuse"
        path = world.path(_full_path(spec))
        token, headers = admin_token, None
        if path.startswith("/store/me"):
            token = world.customer_token
        elif path.startswith("/store/carts/"):
            token, headers = None, {"X-Cart-Token": world.cart_token}
        for name in names:
            # When a client sends null for one of them
            reply = api.patch(path, {name: None}, token=token, headers=headers)
            # Then it is a 422 naming that field
            if reply.status != 422 or name not in {d["field"] for d in reply.json["error"]["details"]}:
                refused[f"{path} {name}"] = (reply.status, reply.json)
    assert refused == {}
    assert len(PATCHES) >= 19
    # And nothing was written
    assert _table(aws) == before


CLEARABLE = [
    ("/admin/customers/{customer_id}", "phone"),
    ("/admin/customers/{customer_id}", "company"),
    ("/admin/products/{sku}", "category"),
    ("/admin/coupons/{code}", "ends_at"),
    ("/admin/customers/{customer_id}/addresses/{address_id}", "zip"),
    ("/admin/carts/{cart_id}", "schedule"),
    ("/admin/reports/saved/{report_id}", "schedule"),
]


def test_patch_with_null_for_a_field_the_record_may_lack_clears_it(api, admin_token, world):
    for template, field in CLEARABLE:
        # Given an object of the shop, when staff send null for a field the record may lack
        reply = api.patch(world.path(template), {field: None}, token=admin_token)
        # Then the answer shows it cleared
        assert reply.status == 200, (template, reply.json)
        assert reply.json[field] is None, template
    # And an email template's subject set to null is the default file's again
    path = world.path("/admin/email-templates/{name}")
    assert api.patch(path, {"subject": "Thanks!"}, token=admin_token).json["customized"] is True
    reset = api.patch(path, {"subject": None}, token=admin_token)
    assert reset.status == 200 and reset.json["customized"] is False and reset.json["subject"] != "Thanks!"


def test_shopper_sending_null_for_their_name_or_consent_is_422_and_their_phone_can_be_cleared(api, world):
    # Given a registered shopper with a phone number
    me = {"token": world.customer_token}
    assert api.patch("/store/me", {"phone": "+33 1 23 45 67 89"}, **me).status == 200
    # When they send null for a name or for their marketing consent
    for field in ("first_name", "last_name", "accepts_marketing"):
        reply = api.patch("/store/me", {field: None}, **me)
        # Then it is refused
        assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == field
    # But null for the phone clears it, and their record is whole
    cleared = api.patch("/store/me", {"phone": None}, **me)
    assert cleared.status == 200 and cleared.json["phone"] is None
    assert (cleared.json["first_name"], cleared.json["last_name"], cleared.json["accepts_marketing"]) == ("Bob", "Jones", False)


def test_a_group_renamed_to_null_is_refused_and_the_groups_stay_readable(api, admin_token, world):
    # Given a custom group
    group_id = world.ids["group_id"]
    # When staff send null for its name or its discount
    for body in ({"name": None}, {"discount_percent": None}):
        assert api.patch(f"/admin/groups/{group_id}", body, token=admin_token).status == 422
    # Then the group list still reads, with the group as it was
    groups = api.get("/admin/groups", token=admin_token)
    assert groups.status == 200
    group = next(g for g in groups.json["items"] if g["id"] == group_id)
    assert (group["name"], group["discount_percent"]) == ("VIP clients", 10)


def test_a_group_stored_with_nulls_is_read_and_can_be_fixed_or_deleted(api, admin_token, world):
    # Given a group stored with a null name and discount (as the API wrote them before it refused nulls)
    from chalicelib.store import documents

    documents.put("GROUPS", "legacy", {"id": "legacy", "name": None, "discount_percent": None, "is_default": False,
                                        "built_in": False})
    # When staff list the groups, then it is there, nameless, and the list answers
    groups = api.get("/admin/groups", token=admin_token)
    assert groups.status == 200
    legacy = next(g for g in groups.json["items"] if g["id"] == "legacy")
    assert (legacy["name"], legacy["discount_percent"]) == ("", 0)
    # And a checkout link (which reads every group) still opens
    assert api.get(f"/store/checkout-links/{world.ids['token']}").status == 200
    # And staff can rename it, then delete it
    renamed = api.patch("/admin/groups/legacy", {"name": "Old friends"}, token=admin_token)
    assert renamed.status == 200 and renamed.json["name"] == "Old friends"
    assert api.delete("/admin/groups/legacy", token=admin_token).status == 204


@pytest.mark.parametrize("query", [
    "created_to=0237-07-06&last_order_from=0621-07-30",
    "last_order_from=1903-01-01&last_order_to=1904-01-01",
    "last_order_from=2290-01-01",
    "last_order_to=1969-12-31",
])
def test_customer_list_with_dates_far_from_today_is_answered(api, admin_token, place, new_customer, query):
    # Given a customer who ordered today
    place(customer_id=new_customer()["id"])
    # When staff filter by dates far in the past or the future
    reply = api.get(f"/admin/customers?{query}", token=admin_token)
    # Then the answer is a list (empty: nobody ordered then), or a 422 for a date out of range; never a 500
    assert reply.status in (200, 422), reply.json
    if reply.status == 200:
        assert reply.json["items"] == []


def test_customer_list_with_a_date_range_backwards_is_422(api, admin_token):
    for query in ("last_order_from=2026-01-02&last_order_to=2026-01-01", "created_from=2026-01-02&created_to=2026-01-01"):
        reply = api.get(f"/admin/customers?{query}", token=admin_token)
        assert reply.status == 422, reply.json


def test_customer_list_last_order_dates_around_today_find_the_buyer(api, admin_token, place, new_customer):
    # Given a customer who orders today
    buyer = new_customer()["id"]
    place(customer_id=buyer)
    # When staff ask for customers who last ordered from long ago to far ahead
    wide = api.get("/admin/customers?last_order_from=1900-01-01&last_order_to=2999-12-31", token=admin_token)
    # Then the buyer is among them
    assert wide.status == 200 and buyer in [c["id"] for c in wide.json["items"]]


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00"])
def test_coupon_times_past_the_calendar_in_utc_are_422(api, admin_token, moment):
    # Given a coupon
    assert api.post("/admin/coupons", {"code": "SPRING10", "kind": "percent", "value": 10}, token=admin_token).status == 201
    # When staff give it a time that cannot be expressed in UTC, as it is created or changed
    created = api.post("/admin/coupons", {"code": "WINTER", "kind": "percent", "value": 10, "starts_at": moment},
                       token=admin_token)
    assert created.status == 422 and created.json["error"]["details"][0]["field"] == "starts_at"
    reply = api.patch("/admin/coupons/SPRING10", {"ends_at": moment}, token=admin_token)
    # Then it is a 422 naming the field, not a 500
    assert reply.status == 422, reply.json
    assert reply.json["error"]["details"][0]["field"] == "ends_at"


@pytest.mark.parametrize("path", [
    "/admin/orders?from=2000-01-01&to=2999-12-31",
    "/admin/orders?from=1999-12-31",
    "/admin/orders?status=paid&to=2000-01-01",
    "/admin/invoices?from=2000-01-01&to=2999-12-31",
    "/admin/invoices?to=0001-01-01",
    "/admin/ordered-products?from=2999-12-31",
    "/admin/ordered-products?to=2000-01-01",
    "/admin/ordered-products?from=2026-01-02&to=2026-01-01",
    "/admin/reports/sales?from=1970-01-01&to=1970-12-31",
    "/admin/reports/sales?from=0621-07-30&to=0621-08-30",
    "/admin/reports/products?from=2999-01-01&to=2999-12-31",
    "/admin/reports/customers?from=1970-01-01&to=1970-01-01&group_by=month",
    "/admin/reports/payments?from=2999-12-01&to=2999-12-31&group_by=week",
])
def test_lists_and_reports_with_dates_far_from_today_are_answered(api, admin_token, place, new_customer, path):
    # Given an order placed today
    place(customer_id=new_customer()["id"])
    # When staff ask for a range far in the past or the future (or a backwards one)
    reply = api.get(path, token=admin_token)
    # Then it is answered, or refused with a 422 naming a date; never a 500
    assert reply.status in (200, 422), (path, reply.json)
