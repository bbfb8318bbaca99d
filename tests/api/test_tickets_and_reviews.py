"""Staff look after a customer's support tickets and product reviews (the Tickets and Reviews tabs)."""
import threading

import pytest

from tests.support.api import staff_token

UNKNOWN = "01JNOPE0000000000000000000"
REVIEW = {"sku": "TEA-GREEN.250g", "rating": 4, "title": "Lovely tea", "text": "Fresh and fragrant."}


def _tickets(customer):
    return f"/admin/customers/{customer['id']}/tickets"


def _reviews(customer):
    return f"/admin/customers/{customer['id']}/reviews"


def _timeline(api, token, customer):
    return api.get(f"/admin/customers/{customer['id']}/timeline", token=token).json["items"]


def _every_page(api, path, token, limit):
    """All items of a list, read `limit` at a time; and how many pages that took."""
    items, next_token, pages = [], None, 0
    while True:
        page = api.get(f"{path}?limit={limit}" + (f"&next_token={next_token}" if next_token else ""), token=token).json
        items, next_token, pages = items + page["items"], page["next_token"], pages + 1
        if next_token is None:
            return items, pages


def _open(api, token, customer, subject="Parcel not delivered", message="Customer called: parcel 123 missing."):
    reply = api.post(_tickets(customer), {"subject": subject, "message": message}, token=token)
    assert reply.status == 201, reply.json
    return reply.json


# Tickets

def test_open_ticket_starts_the_thread_and_the_timeline_says_so(api, new_customer):
    customer = new_customer()
    # When a support agent opens a ticket for the customer
    reply = api.post(_tickets(customer), {"subject": "Parcel not delivered", "message": "Parcel <123> missing."},
                     token=staff_token("support", "sam"))
    # Then it is open, with the first message by that agent, kept as text
    assert reply.status == 201
    ticket = reply.json
    assert ticket["subject"] == "Parcel not delivered" and ticket["status"] == "open"
    assert ticket["created_at"] == ticket["updated_at"]
    assert [(m["author"], m["text"]) for m in ticket["messages"]] == [("staff:sam", "Parcel <123> missing.")]
    # And reading it back gives the same ticket
    assert api.get(f"{_tickets(customer)}/{ticket['id']}", token=staff_token("support")).json == ticket
    # And the customer's timeline records the opening
    event = _timeline(api, staff_token(), customer)[0]
    assert event["type"] == "ticket_opened" and event["actor"] == "staff:sam"
    assert event["data"] == {"ticket_id": ticket["id"], "subject": "Parcel not delivered"}


def test_tickets_are_listed_newest_first_page_by_page(api, admin_token, new_customer):
    # Given five tickets opened one after the other
    customer = new_customer()
    opened = [_open(api, admin_token, customer, subject=f"Question {n}") for n in range(5)]
    # When staff page through them two at a time
    listed, pages = _every_page(api, _tickets(customer), admin_token, limit=2)
    # Then each comes once, newest first, as a summary without the thread
    assert [t["subject"] for t in listed] == [f"Question {n}" for n in range(4, -1, -1)]
    assert pages >= 3
    assert set(listed[0]) == {"id", "subject", "status", "created_at", "updated_at"}
    assert listed[-1]["id"] == opened[0]["id"]


def test_messages_are_added_to_the_thread_in_order(api, new_customer):
    customer = new_customer()
    ticket = _open(api, staff_token("support", "sam"), customer)
    messages = f"{_tickets(customer)}/{ticket['id']}/messages"
    # When two colleagues answer
    first = api.post(messages, {"text": "Asked the carrier."}, token=staff_token("agent", "ada"))
    second = api.post(messages, {"text": "Carrier found it."}, token=staff_token("admin", "alex"))
    assert first.status == second.status == 201
    assert first.json["author"] == "staff:ada" and set(first.json) == {"id", "author", "text", "at"}
    # Then the thread has every message, oldest first, and the ticket shows the last activity
    read = api.get(f"{_tickets(customer)}/{ticket['id']}", token=staff_token()).json
    assert [m["text"] for m in read["messages"]] == ["Customer called: parcel 123 missing.", "Asked the carrier.",
                                                      "Carrier found it."]
    assert read["updated_at"] == second.json["at"] and read["status"] == "open"


def test_two_appends_at_the_same_moment_are_both_kept(api, new_customer, monkeypatch):
    from pynamodb.connection.base import Connection

    customer = new_customer()
    ticket = _open(api, staff_token(), customer)
    messages = f"{_tickets(customer)}/{ticket['id']}/messages"
    # Given Bo's whole append lands just before Al's request writes anything (after all Al has read)
    dispatch, bo = Connection.dispatch, {}

    def bo_appends():
        bo["reply"] = api.post(messages, {"text": "Bo: refund sent."}, token=staff_token("agent", "bo"))

    def bo_goes_first(self, operation, kwargs):
        if operation in ("PutItem", "UpdateItem", "TransactWriteItems") and not bo:
            bo["thread"] = threading.Thread(target=bo_appends)  # a stack of its own, like another Lambda
            bo["thread"].start()
            bo["thread"].join()
        return dispatch(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", bo_goes_first)
    # When Al appends
    al = api.post(messages, {"text": "Al: label reprinted."}, token=staff_token("agent", "al"))
    monkeypatch.undo()
    # Then both messages are in the thread
    assert al.status == 201 and bo["reply"].status == 201
    thread = api.get(f"{_tickets(customer)}/{ticket['id']}", token=staff_token()).json["messages"]
    assert len(thread) == 3
    assert {(m["author"], m["text"]) for m in thread[1:]} == {("staff:al", "Al: label reprinted."),
                                                              ("staff:bo", "Bo: refund sent.")}


def test_patch_ticket_changes_only_what_is_sent(api, admin_token, new_customer):
    customer = new_customer()
    ticket = _open(api, admin_token, customer)
    path = f"{_tickets(customer)}/{ticket['id']}"
    # When support marks it as waiting for the customer
    reply = api.patch(path, {"status": "pending"}, token=staff_token("support"))
    # Then the status changes and the rest stays
    assert reply.status == 200
    assert reply.json["status"] == "pending" and reply.json["subject"] == ticket["subject"]
    assert reply.json["messages"] == ticket["messages"] and reply.json["updated_at"] >= ticket["updated_at"]
    assert api.get(path, token=admin_token).json == reply.json
    # And a new subject is kept too; an empty change changes nothing
    assert api.patch(path, {"subject": "Lost parcel"}, token=admin_token).json["subject"] == "Lost parcel"
    assert api.patch(path, {}, token=admin_token).json == api.get(path, token=admin_token).json


def test_a_closed_ticket_takes_no_message_until_reopened(api, admin_token, new_customer):
    customer = new_customer()
    ticket = _open(api, admin_token, customer)
    path = f"{_tickets(customer)}/{ticket['id']}"
    # Given a closed ticket
    assert api.patch(path, {"status": "closed"}, token=admin_token).json["status"] == "closed"
    # When staff add a message, it is a conflict and nothing is added
    reply = api.post(f"{path}/messages", {"text": "One more thing"}, token=admin_token)
    assert reply.status == 409 and reply.error_code == "conflict"
    assert len(api.get(path, token=admin_token).json["messages"]) == 1
    # And once reopened, messages are welcome again
    assert api.patch(path, {"status": "open"}, token=admin_token).status == 200
    assert api.post(f"{path}/messages", {"text": "One more thing"}, token=admin_token).status == 201
    assert len(api.get(path, token=admin_token).json["messages"]) == 2


def test_another_customers_ticket_is_404(api, admin_token, new_customer):
    # Given Ann's ticket
    ann, bea = new_customer(), new_customer()
    ticket = _open(api, admin_token, ann)
    # When it is addressed under Bea's page
    under_bea = f"{_tickets(bea)}/{ticket['id']}"
    replies = [api.get(under_bea, token=admin_token), api.patch(under_bea, {"status": "closed"}, token=admin_token),
               api.post(f"{under_bea}/messages", {"text": "hello"}, token=admin_token)]
    # Then it is not found, and Ann's ticket is untouched; Bea has no ticket
    assert [(r.status, r.error_code) for r in replies] == [(404, "not_found")] * 3
    assert api.get(f"{_tickets(ann)}/{ticket['id']}", token=admin_token).json == ticket
    assert api.get(_tickets(bea), token=admin_token).json == {"items": [], "next_token": None}


def test_unknown_tickets_and_customers_are_404(api, admin_token, new_customer):
    customer = new_customer()
    ticket = _open(api, admin_token, customer)
    # A ticket id that is only the start of a real one is no ticket
    for ticket_id in (UNKNOWN, ticket["id"][:10]):
        path = f"{_tickets(customer)}/{ticket_id}"
        assert api.get(path, token=admin_token).status == 404
        assert api.patch(path, {"subject": "x"}, token=admin_token).status == 404
        assert api.post(f"{path}/messages", {"text": "x"}, token=admin_token).status == 404
    nobody = {"id": UNKNOWN}
    assert api.get(_tickets(nobody), token=admin_token).status == 404
    assert api.post(_tickets(nobody), {"subject": "Hi", "message": "there"}, token=admin_token).status == 404
    assert api.get(f"{_tickets(nobody)}/{ticket['id']}", token=admin_token).status == 404


@pytest.mark.parametrize("body", [
    {"subject": "x" * 201, "message": "ok"},
    {"subject": "Two\nlines", "message": "ok"},
    {"subject": "<b>Help</b>", "message": "ok"},
    {"subject": "   ", "message": "ok"},
    {"subject": "Help"},
    {"subject": "Help", "message": "x" * 5001},
    {"subject": "Help", "message": "ok", "status": "closed"},
])
def test_bad_tickets_are_422_and_nothing_is_written(api, admin_token, new_customer, body):
    customer = new_customer()
    reply = api.post(_tickets(customer), body, token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error"
    assert api.get(_tickets(customer), token=admin_token).json["items"] == []
    assert [e["type"] for e in _timeline(api, admin_token, customer)] == ["customer_created"]


def test_bad_ticket_changes_and_messages_are_422_and_nothing_changes(api, admin_token, new_customer):
    customer = new_customer()
    ticket = _open(api, admin_token, customer)
    path = f"{_tickets(customer)}/{ticket['id']}"
    for change in ({"status": "archived"}, {"subject": None}, {"subject": "x" * 201}, {"priority": "high"}):
        assert api.patch(path, change, token=admin_token).status == 422, change
    for message in ({"text": ""}, {"text": "x" * 5001}, {"text": "ok", "author": "customer"}, {}):
        assert api.post(f"{path}/messages", message, token=admin_token).status == 422, message
    assert api.get(path, token=admin_token).json == ticket


# Reviews

def test_add_review_waits_for_approval_and_the_timeline_says_so(api, new_customer):
    customer = new_customer()
    # When support records a review for the customer
    reply = api.post(_reviews(customer), REVIEW, token=staff_token("support", "sam"))
    # Then it is stored unapproved, with the fields given
    assert reply.status == 201
    review = reply.json
    assert review["approved"] is False and {k: review[k] for k in REVIEW} == REVIEW
    assert api.get(_reviews(customer), token=staff_token()).json == {"items": [review], "next_token": None}
    # And the timeline records it
    event = _timeline(api, staff_token(), customer)[0]
    assert event["type"] == "review_added" and event["actor"] == "staff:sam"
    assert event["data"] == {"review_id": review["id"], "sku": "TEA-GREEN.250g", "rating": 4}


def test_a_review_title_is_optional(api, admin_token, new_customer):
    customer = new_customer()
    reply = api.post(_reviews(customer), {"sku": "MUG-1", "rating": 5, "text": "Great mug."}, token=admin_token)
    assert reply.status == 201 and reply.json["title"] == ""


def test_reviews_are_listed_newest_first_page_by_page(api, admin_token, new_customer):
    customer = new_customer()
    for n in range(5):
        api.post(_reviews(customer), {**REVIEW, "sku": f"SKU-{n}"}, token=admin_token)
    listed, pages = _every_page(api, _reviews(customer), admin_token, limit=2)
    assert [r["sku"] for r in listed] == [f"SKU-{n}" for n in range(4, -1, -1)]
    assert pages >= 3


def test_staff_approve_and_edit_a_review(api, admin_token, new_customer):
    customer = new_customer()
    review = api.post(_reviews(customer), REVIEW, token=admin_token).json
    path = f"{_reviews(customer)}/{review['id']}"
    # When support approves it
    reply = api.patch(path, {"approved": True}, token=staff_token("support"))
    # Then it is approved and otherwise unchanged
    assert reply.status == 200 and reply.json == {**review, "approved": True}
    # And an edit changes only what is sent; an empty title clears it
    edited = api.patch(path, {"rating": 5, "title": "", "text": "Even better the second time."}, token=admin_token).json
    assert edited == {**review, "approved": True, "rating": 5, "title": "", "text": "Even better the second time."}
    assert api.get(_reviews(customer), token=admin_token).json["items"] == [edited]
    assert api.patch(path, {}, token=admin_token).json == edited


def test_delete_review_removes_it(api, admin_token, new_customer):
    customer = new_customer()
    gone = api.post(_reviews(customer), REVIEW, token=admin_token).json
    kept = api.post(_reviews(customer), {**REVIEW, "sku": "MUG-1"}, token=admin_token).json
    assert api.delete(f"{_reviews(customer)}/{gone['id']}", token=staff_token("support")).status == 204
    assert api.get(_reviews(customer), token=admin_token).json["items"] == [kept]
    assert api.delete(f"{_reviews(customer)}/{gone['id']}", token=admin_token).status == 404
    assert api.patch(f"{_reviews(customer)}/{gone['id']}", {"approved": True}, token=admin_token).status == 404


def test_another_customers_review_is_404(api, admin_token, new_customer):
    ann, bea = new_customer(), new_customer()
    review = api.post(_reviews(ann), REVIEW, token=admin_token).json
    under_bea = f"{_reviews(bea)}/{review['id']}"
    assert api.patch(under_bea, {"approved": True}, token=admin_token).status == 404
    assert api.patch(under_bea, {}, token=admin_token).status == 404
    assert api.delete(under_bea, token=admin_token).status == 404
    assert api.get(_reviews(ann), token=admin_token).json["items"] == [review]
    nobody = {"id": UNKNOWN}
    assert api.get(_reviews(nobody), token=admin_token).status == 404
    assert api.post(_reviews(nobody), REVIEW, token=admin_token).status == 404


@pytest.mark.parametrize("change", [
    {"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4.5}, {"rating": True},
    {"sku": "tea green"}, {"sku": ""}, {"sku": "x" * 65},
    {"title": "x" * 201}, {"text": "x" * 5001}, {"text": ""}, {"approved": True},
])
def test_bad_reviews_are_422_and_nothing_is_written(api, admin_token, new_customer, change):
    customer = new_customer()
    reply = api.post(_reviews(customer), {**REVIEW, **change}, token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error"
    assert api.get(_reviews(customer), token=admin_token).json["items"] == []
    assert [e["type"] for e in _timeline(api, admin_token, customer)] == ["customer_created"]


def test_bad_review_changes_are_422_and_nothing_changes(api, admin_token, new_customer):
    customer = new_customer()
    review = api.post(_reviews(customer), REVIEW, token=admin_token).json
    path = f"{_reviews(customer)}/{review['id']}"
    for change in ({"rating": 9}, {"rating": None}, {"approved": "maybe"}, {"sku": "OTHER"}, {"text": ""}):
        assert api.patch(path, change, token=admin_token).status == 422, change
    assert api.get(_reviews(customer), token=admin_token).json["items"] == [review]


# Access and paging

def test_customer_tokens_and_anonymous_calls_are_401(api, admin_token, new_customer):
    from chalicelib.domain.tokens import issue_customer_token
    from chalicelib.settings import get_settings

    customer = new_customer()
    ticket = _open(api, admin_token, customer)
    review = api.post(_reviews(customer), REVIEW, token=admin_token).json
    own_token = issue_customer_token(customer["id"], get_settings().customer_token_secret, 3600)
    calls = [("GET", _tickets(customer), None), ("POST", _tickets(customer), {"subject": "a", "message": "b"}),
             ("GET", f"{_tickets(customer)}/{ticket['id']}", None),
             ("PATCH", f"{_tickets(customer)}/{ticket['id']}", {"status": "closed"}),
             ("POST", f"{_tickets(customer)}/{ticket['id']}/messages", {"text": "hi"}),
             ("GET", _reviews(customer), None), ("POST", _reviews(customer), REVIEW),
             ("PATCH", f"{_reviews(customer)}/{review['id']}", {"approved": True}),
             ("DELETE", f"{_reviews(customer)}/{review['id']}", None)]
    for method, path, body in calls:
        for token in (own_token, None):
            reply = api.call(method, path, json=body, token=token)
            assert reply.status == 401 and reply.error_code == "unauthorized", (method, path)
    assert api.get(f"{_tickets(customer)}/{ticket['id']}", token=admin_token).json == ticket
    assert api.get(_reviews(customer), token=admin_token).json["items"] == [review]


@pytest.mark.parametrize("role", ["admin", "agent", "support"])
def test_every_staff_role_works_the_tabs(api, new_customer, role):
    customer = new_customer()
    token = staff_token(role)
    ticket = _open(api, token, customer)
    assert api.post(f"{_tickets(customer)}/{ticket['id']}/messages", {"text": "Done."}, token=token).status == 201
    assert api.patch(f"{_tickets(customer)}/{ticket['id']}", {"status": "closed"}, token=token).status == 200
    review = api.post(_reviews(customer), REVIEW, token=token).json
    assert api.patch(f"{_reviews(customer)}/{review['id']}", {"approved": True}, token=token).status == 200
    assert api.delete(f"{_reviews(customer)}/{review['id']}", token=token).status == 204


def test_a_garbage_page_token_is_400(api, admin_token, new_customer):
    customer = new_customer()
    for path in (_tickets(customer), _reviews(customer)):
        for token in ("garbage!!", "eyJhIjoxfQ", "W10"):
            reply = api.get(f"{path}?next_token={token}", token=admin_token)
            assert reply.status == 400 and reply.error_code == "bad_request", (path, token)
