"""Groups with privileges, and the merchant's own customer fields."""
from tests.support.api import staff_token


def test_guests_and_default_exist_from_the_start_and_cannot_be_deleted(api, admin_token):
    groups = api.get("/admin/groups", token=admin_token).json["items"]
    assert [(g["id"], g["name"], g["is_default"]) for g in groups] == [("default", "Default", True), ("guests", "Guests", False)]
    for gid in ("default", "guests"):
        assert api.delete(f"/admin/groups/{gid}", token=admin_token).status == 409


def test_a_vip_group_with_a_discount_and_moving_customers_into_it(api, admin_token, new_customer):
    vip = api.post("/admin/groups", {"name": "VIP", "discount_percent": 15}, token=admin_token)
    assert vip.status == 201 and vip.json == {"id": "vip", "name": "VIP", "discount_percent": 15, "is_default": False,
                                              "built_in": False}
    customer = new_customer()
    assert customer["group_id"] == "default"
    api.patch(f"/admin/customers/{customer['id']}", {"group_id": "vip"}, token=admin_token)
    assert [c["id"] for c in api.get("/admin/customers?group=vip", token=admin_token).json["items"]] == [customer["id"]]
    assert api.get("/admin/customers?group=default", token=admin_token).json["items"] == []
    # A group with members stays until they move
    assert api.delete("/admin/groups/vip", token=admin_token).status == 409
    api.patch(f"/admin/customers/{customer['id']}", {"group_id": "default"}, token=admin_token)
    assert api.delete("/admin/groups/vip", token=admin_token).status == 204
    timeline = api.get(f"/admin/customers/{customer['id']}/timeline", token=admin_token).json["items"]
    assert timeline[0]["type"] == "group_changed" and timeline[0]["data"] == {"before": "vip", "after": "default"}


def test_the_store_default_group_receives_new_registrations(api, admin_token, store_settings):
    api.post("/admin/groups", {"name": "Members"}, token=admin_token)
    store_settings(default_group_id="members")
    customer = api.post("/store/customers", {"email": "m@example.com", "password": "long enough pass", "first_name": "M",
                                             "last_name": "N"}).json
    assert customer["group_id"] == "members"
    assert [g["id"] for g in api.get("/admin/groups", token=admin_token).json["items"] if g["is_default"]] == ["members"]


def test_unknown_groups_and_bad_groups_are_refused(api, admin_token, new_customer, store_settings):
    customer = new_customer()
    reply = api.patch(f"/admin/customers/{customer['id']}", {"group_id": "nope"}, token=admin_token)
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "group_id"
    assert api.post("/admin/customers", {"email": "z@example.com", "first_name": "Z", "last_name": "Z", "group_id": "nope"},
                    token=admin_token).status == 422
    assert api.patch("/admin/settings", {"default_group_id": "nope"}, token=admin_token).status == 422
    assert api.post("/admin/groups", {"name": "X", "discount_percent": 101}, token=admin_token).status == 422
    assert api.post("/admin/groups", {"name": "Default"}, token=admin_token).status == 409
    api.post("/admin/groups", {"name": "B2B"}, token=admin_token)
    assert api.post("/admin/groups", {"name": "b2b"}, token=admin_token).status == 409
    groups = api.get("/admin/groups", token=admin_token).json
    assert api.post("/admin/groups", {"name": "Y"}, token=staff_token("agent")).status == 403
    assert api.get("/admin/groups", token=admin_token).json == groups


def test_settings_are_validated(api, admin_token):
    assert api.get("/admin/settings", token=admin_token).json["abandoned_cart_delay_minutes"] == 60
    for bad in ({"abandoned_cart_delay_minutes": 29}, {"abandoned_cart_delay_minutes": 181}, {"currency": "euro"},
                {"invoicing": {"issue_for": "friends"}}, {"colour": "red"}):
        assert api.patch("/admin/settings", bad, token=admin_token).status == 422, bad
    assert api.patch("/admin/settings", {"abandoned_cart_delay_minutes": 90},
                     token=admin_token).json["abandoned_cart_delay_minutes"] == 90
    settings = api.get("/admin/settings", token=admin_token).json
    assert api.patch("/admin/settings", {"currency": "BGN"}, token=staff_token("support")).status == 403
    assert api.get("/admin/settings", token=admin_token).json == settings


def _define(api, token, **definition):
    reply = api.post("/admin/custom-fields", definition, token=token)
    assert reply.status == 201, reply.json
    return reply.json


def test_custom_field_values_are_typed_and_validated(api, admin_token, new_customer):
    _define(api, admin_token, key="shoe_size", label="Shoe size", type="number")
    _define(api, admin_token, key="birthday", label="Birthday", type="date")
    _define(api, admin_token, key="channel", label="Channel", type="choice", options=["shop", "fair", "web"])
    customer = new_customer(custom_fields={"shoe_size": 42, "channel": "fair"})
    assert customer["custom_fields"] == {"shoe_size": 42, "channel": "fair"}
    path = f"/admin/customers/{customer['id']}"
    changed = api.patch(path, {"custom_fields": {"birthday": "1990-04-01", "shoe_size": None}}, token=admin_token).json
    assert changed["custom_fields"] == {"channel": "fair", "birthday": "1990-04-01"}
    for bad in ({"shoe_size": "big"}, {"birthday": "April"}, {"channel": "tv"}, {"favourite": "blue"}):
        reply = api.patch(path, {"custom_fields": bad}, token=admin_token)
        assert reply.status == 422 and reply.json["error"]["details"][0]["field"].startswith("custom_fields."), bad
    assert api.get(path, token=admin_token).json["custom_fields"] == {"channel": "fair", "birthday": "1990-04-01"}


def test_required_custom_fields_and_filtering_by_them(api, admin_token, new_customer):
    _define(api, admin_token, key="region", label="Sales region", type="choice", options=["north", "south"], required=True)
    assert api.post("/admin/customers", {"email": "r@example.com", "first_name": "R", "last_name": "S"},
                    token=admin_token).status == 422
    north = new_customer(custom_fields={"region": "north"})
    new_customer(custom_fields={"region": "south"})
    found = api.get("/admin/customers?custom_field=region:north", token=admin_token).json["items"]
    assert [c["id"] for c in found] == [north["id"]]


def test_bad_custom_field_definitions_are_422_and_keys_unique(api, admin_token):
    for bad in ({"key": "Size!", "label": "S", "type": "text"}, {"key": "size", "label": "S", "type": "colour"},
                {"key": "size", "label": "S", "type": "choice"}, {"key": "size", "label": "S", "type": "text", "options": ["a"]}):
        assert api.post("/admin/custom-fields", bad, token=admin_token).status == 422, bad
    _define(api, admin_token, key="size", label="Size", type="text")
    assert api.post("/admin/custom-fields", {"key": "size", "label": "Size 2", "type": "text"}, token=admin_token).status == 409
    assert [f["key"] for f in api.get("/admin/custom-fields", token=staff_token("support")).json["items"]] == ["size"]
