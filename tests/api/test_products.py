"""The catalogue: staff manage products; the storefront shows active ones only."""
from tests.support.api import staff_token

MUG = {"sku": "MUG-01", "name": "Enamel mug", "price": 1250, "category": "Kitchen", "brand": "Acme",
       "suppliers": [{"name": "Tinware Ltd", "price": 400}, {"name": "Cheap Cups", "price": 310}]}


def _add(api, token, **fields):
    reply = api.post("/admin/products", {**MUG, **fields}, token=token)
    assert reply.status == 201, reply.json
    return reply.json


def test_a_product_is_added_read_and_changed(api, admin_token):
    product = _add(api, admin_token, stock=12)
    assert product["price"] == 1250 and product["status"] == "active" and product["stock"] == 12
    assert product["suppliers"][1] == {"name": "Cheap Cups", "price": 310}
    assert api.get("/admin/products/MUG-01", token=staff_token("support")).json == product
    changed = api.patch("/admin/products/MUG-01", {"price": 1400, "stock": None, "suppliers": []}, token=admin_token).json
    assert changed["price"] == 1400 and changed["stock"] is None and changed["suppliers"] == []
    assert changed["name"] == "Enamel mug" and changed["updated_at"] >= product["updated_at"]


def test_the_storefront_sees_active_products_only(api, admin_token):
    _add(api, admin_token)
    _add(api, admin_token, sku="TEA-01", name="Assam tea", status="draft")
    _add(api, admin_token, sku="BAG-01", name="Canvas bag")
    assert [p["sku"] for p in api.get("/store/products").json["items"]] == ["BAG-01", "MUG-01"]
    assert api.get("/store/products/TEA-01").status == 404
    api.patch("/admin/products/TEA-01", {"status": "active"}, token=admin_token)
    api.patch("/admin/products/MUG-01", {"status": "archived"}, token=admin_token)
    assert [p["sku"] for p in api.get("/store/products").json["items"]] == ["TEA-01", "BAG-01"]  # by name: Assam tea, Canvas bag
    assert api.get("/store/products/MUG-01").status == 404
    assert [p["sku"] for p in api.get("/admin/products", token=admin_token).json["items"]] == ["TEA-01", "BAG-01", "MUG-01"]


def test_products_page_by_name(api, admin_token):
    for n in range(5):
        _add(api, admin_token, sku=f"P{n}", name=f"Item {n}")
    first = api.get("/store/products?limit=2").json
    second = api.get(f"/store/products?limit=2&next_token={first['next_token']}").json
    assert [p["sku"] for p in first["items"] + second["items"]] == ["P0", "P1", "P2", "P3"]
    assert api.get("/store/products?next_token=garbage").status == 400


def test_bad_products_are_422_and_nothing_is_written(api, admin_token):
    for bad in ({"price": -1}, {"price": 12.5}, {"price": "12"}, {"sku": "with space"}, {"status": "sold"},
                {"suppliers": [{"name": "X", "price": -5}]}, {"name": "<b>mug</b>"}, {"colour": "red"}):
        assert api.post("/admin/products", {**MUG, **bad}, token=admin_token).status == 422, bad
    assert api.get("/admin/products", token=admin_token).json["items"] == []
    _add(api, admin_token)
    assert api.post("/admin/products", MUG, token=admin_token).status == 409
    assert api.patch("/admin/products/MUG-01", {"price": None}, token=admin_token).status == 422
    assert api.patch("/admin/products/NOPE", {"price": 1}, token=admin_token).status == 404


def test_only_admins_change_the_catalogue(api, admin_token):
    for role in ("agent", "support"):
        assert api.post("/admin/products", MUG, token=staff_token(role)).status == 403
    assert api.get("/admin/products", token=admin_token).json["items"] == []
    _add(api, admin_token)
    mug = api.get("/admin/products/MUG-01", token=admin_token).json
    assert api.patch("/admin/products/MUG-01", {"price": 1}, token=staff_token("agent")).status == 403
    assert api.get("/admin/products/MUG-01", token=admin_token).json == mug
    assert api.get("/admin/products").status == 401


def test_agents_find_products_by_sku_or_the_start_of_the_name(api, admin_token):
    _add(api, admin_token)
    _add(api, admin_token, sku="MUG-02", name="Mug, large", status="draft")
    _add(api, admin_token, sku="TEA-01", name="Assam tea")

    def found(q):
        reply = api.get(f"/admin/products?q={q}", token=staff_token("agent"))
        assert reply.status == 200, reply.json
        return [p["sku"] for p in reply.json["items"]]

    assert found("mug") == ["MUG-02"]  # names starting with it, accents and case folded
    assert found("EN") == ["MUG-01"]
    assert found("TEA-01") == ["TEA-01"]  # a sku
    assert found("zzz") == []
    assert api.get("/admin/products?q=", token=admin_token).status == 422
