def test_create_and_get(api, admin_token):
    r = api.post("/admin/customers", {"email": "a@example.com", "first_name": "A", "last_name": "B"}, token=admin_token)
    assert r.status == 201, r.json
    g = api.get(f"/admin/customers/{r.json['id']}", token=admin_token)
    assert g.status == 200, g.json
    print(g.json)
    l = api.get("/admin/customers", token=admin_token)
    print(l.json)
    o = api.get("/openapi.json")
    assert o.status == 200, o.body[:2000]
    print(api.get("/nope/x").json, api.get("/").json)
