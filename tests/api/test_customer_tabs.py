"""The tabs of a customer's page: addresses, notes, tags, timeline."""
from tests.support.api import staff_token

PARIS = {"line1": "12 Rue de Rivoli", "city": "Paris", "zip": "75001", "country": "FR"}
LYON = {"line1": "3 Quai Perrache", "city": "Lyon", "zip": "69002", "country": "FR"}


def _defaults(api, token, customer_id):
    items = api.get(f"/admin/customers/{customer_id}/addresses", token=token).json["items"]
    return ({a["city"] for a in items if a["default_billing"]}, {a["city"] for a in items if a["default_shipping"]})


def test_default_address_flags_move_atomically(api, admin_token, new_customer):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/addresses"
    # Given a default billing and shipping address in Paris
    paris = api.post(path, {**PARIS, "default_billing": True, "default_shipping": True}, token=admin_token).json
    assert paris["default_billing"] and paris["default_shipping"]
    # When Lyon becomes the default shipping address
    lyon = api.post(path, {**LYON, "default_shipping": True}, token=admin_token).json
    # Then there is still one default of each kind
    assert _defaults(api, admin_token, customer["id"]) == ({"Paris"}, {"Lyon"})
    # And moving billing to Lyon by editing it moves that flag too
    api.patch(f"{path}/{lyon['id']}", {"default_billing": True}, token=admin_token)
    assert _defaults(api, admin_token, customer["id"]) == ({"Lyon"}, {"Lyon"})
    # And removing Lyon leaves no default, and Paris untouched
    assert api.delete(f"{path}/{lyon['id']}", token=admin_token).status == 204
    assert _defaults(api, admin_token, customer["id"]) == (set(), set())
    assert [a["id"] for a in api.get(path, token=admin_token).json["items"]] == [paris["id"]]


def test_editing_an_address_keeps_what_was_not_sent(api, admin_token, new_customer):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/addresses"
    address = api.post(path, {**PARIS, "name": "Home"}, token=admin_token).json
    changed = api.patch(f"{path}/{address['id']}", {"line2": "Apt 4"}, token=admin_token).json
    assert changed["line2"] == "Apt 4" and changed["name"] == "Home" and changed["city"] == "Paris"
    assert api.patch(f"{path}/{address['id']}", {"line1": None}, token=admin_token).status == 422
    assert api.patch(f"{path}/01JNOPE0000000000000000000", {"line2": "x"}, token=admin_token).status == 404


def test_bad_addresses_are_422_and_nothing_is_written(api, admin_token, new_customer):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/addresses"
    for bad in ({**PARIS, "country": "France"}, {**PARIS, "city": ""}, {**PARIS, "phone": "none"}, {"city": "Paris"}):
        assert api.post(path, bad, token=admin_token).status == 422, bad
    assert api.get(path, token=admin_token).json["items"] == []
    assert api.post("/admin/customers/01JNOPE0000000000000000000/addresses", PARIS, token=admin_token).status == 404


def test_notes_can_be_changed_by_their_author_for_five_minutes(api, new_customer, clock):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/notes"
    author, colleague = staff_token("support", "sam"), staff_token("admin", "alex")
    note = api.post(path, {"text": "Called about <b>late</b> parcel"}, token=author).json
    assert note["author"] == "staff:sam" and note["text"] == "Called about <b>late</b> parcel"  # kept as text
    # A colleague may not change it: refused, and the note is as written
    assert api.patch(f"{path}/{note['id']}", {"text": "x"}, token=colleague).status == 403
    assert api.get(path, token=author).json["items"] == [note]
    # The author may, within five minutes
    clock.advance(minutes=4)
    assert api.patch(f"{path}/{note['id']}", {"text": "Called about the parcel"},
                     token=author).json["text"] == "Called about the parcel"
    # Not after
    clock.advance(minutes=2)
    assert api.patch(f"{path}/{note['id']}", {"text": "y"}, token=author).status == 409
    assert api.delete(f"{path}/{note['id']}", token=author).status == 409
    assert [n["text"] for n in api.get(path, token=colleague).json["items"]] == ["Called about the parcel"]


def test_a_fresh_note_can_be_deleted_by_its_author(api, new_customer, clock):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/notes"
    token = staff_token("agent", "ana")
    first = api.post(path, {"text": "first"}, token=token).json
    clock.advance(seconds=1)
    api.post(path, {"text": "second"}, token=token)
    assert [n["text"] for n in api.get(path, token=token).json["items"]] == ["second", "first"]
    assert api.delete(f"{path}/{first['id']}", token=token).status == 204
    assert [n["text"] for n in api.get(path, token=token).json["items"]] == ["second"]


def test_notes_must_have_text(api, admin_token, new_customer):
    customer = new_customer()
    path = f"/admin/customers/{customer['id']}/notes"
    for bad in ({"text": ""}, {"text": "x" * 5001}, {"note": "hi"}):
        assert api.post(path, bad, token=admin_token).status == 422
    assert api.get(path, token=admin_token).json["items"] == []


def test_tags_are_added_removed_and_listed(api, admin_token, new_customer):
    customer, other = new_customer(), new_customer()
    path = f"/admin/customers/{customer['id']}/tags"
    assert api.post(path, {"tag": "Wholesale"}, token=admin_token).json["tags"] == ["wholesale"]
    api.post(path, {"tag": "vip"}, token=admin_token)
    api.post(path, {"tag": "vip"}, token=admin_token)  # twice: still once
    api.post(f"/admin/customers/{other['id']}/tags", {"tag": "vip"}, token=admin_token)
    assert api.get(f"/admin/customers/{customer['id']}", token=admin_token).json["tags"] == ["wholesale", "vip"]
    tagged = api.get("/admin/customers?tag=vip", token=admin_token).json["items"]
    assert {c["id"] for c in tagged} == {customer["id"], other["id"]}
    assert api.delete(f"{path}/vip", token=admin_token).json["tags"] == ["wholesale"]
    assert [c["id"] for c in api.get("/admin/customers?tag=vip", token=admin_token).json["items"]] == [other["id"]]
    assert api.delete(f"{path}/vip", token=admin_token).status == 404
    assert api.post(path, {"tag": "<script>"}, token=admin_token).status == 422


def test_timeline_tells_the_customer_story_newest_first(api, admin_token, new_customer, clock):
    customer = new_customer()
    cid = customer["id"]
    steps = [
        lambda: api.post(f"/admin/customers/{cid}/addresses", PARIS, token=admin_token),
        lambda: api.post(f"/admin/customers/{cid}/notes", {"text": "VIP to be"}, token=admin_token),
        lambda: api.patch(f"/admin/customers/{cid}", {"status": "blocked"}, token=admin_token),
        lambda: api.post(f"/admin/customers/{cid}/tags", {"tag": "vip"}, token=admin_token),
    ]
    for step in steps:
        clock.advance(seconds=1)
        assert step().status < 300
    types = [e["type"] for e in api.get(f"/admin/customers/{cid}/timeline", token=admin_token).json["items"]]
    assert types == ["tag_added", "status_changed", "note_added", "address_added", "customer_created"]


def test_support_reads_and_writes_notes_but_cannot_change_the_customer(api, new_customer):
    customer = new_customer()
    support = staff_token("support")
    cid = customer["id"]
    assert api.post(f"/admin/customers/{cid}/notes", {"text": "ok"}, token=support).status == 201
    assert api.get(f"/admin/customers/{cid}/addresses", token=support).status == 200
    before = api.get(f"/admin/customers/{cid}", token=support).json
    assert api.post(f"/admin/customers/{cid}/addresses", PARIS, token=support).status == 403
    assert api.post(f"/admin/customers/{cid}/tags", {"tag": "x"}, token=support).status == 403
    assert api.patch(f"/admin/customers/{cid}", {"status": "blocked"}, token=support).status == 403
    assert api.delete(f"/admin/customers/{cid}", token=support).status == 403
    # Then the customer is as it was: no address, no tag, still active, still there
    assert api.get(f"/admin/customers/{cid}", token=support).json == before
    assert api.get(f"/admin/customers/{cid}/addresses", token=support).json["items"] == []
    assert [e["type"] for e in api.get(f"/admin/customers/{cid}/timeline", token=support).json["items"]] == [
        "note_added", "customer_created"]
