"""Search finds what people type, for customers stored before it did: an admin rebuilds the search
index with a background job, which brings every customer, address and product written under the
legacy fold (ł, ø, æ... kept as they were) to today's transliterating fold, once, whatever happens
to the invocations on the way."""
import json
from contextlib import contextmanager

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.imports import create_resources, drop, pending_messages, run_job_message, run_jobs
from tests.support.streams import TableStream

REBUILDS = "/admin/search-index/rebuilds"


@pytest.fixture
def jobs_queue(aws):
    create_resources()
    return TableStream()


@contextmanager
def written_before_transliteration(monkeypatch):
    """What the code wrote before fold() transliterated: anyascii left out, the legacy fold alone."""
    import anyascii

    with monkeypatch.context() as patch:
        patch.setattr(anyascii, "anyascii", lambda text: text)
        yield


def _ids(api, query: str) -> list[str]:
    reply = api.get(f"/admin/customers?{query}", token=staff_token("admin"))
    assert reply.status == 200, reply.json
    return [c["id"] for c in reply.json["items"]]


def _table_items() -> list[dict]:
    """Every item but the jobs' own (a test-side scan: never the app's way)."""
    client, items, start = boto3.client("dynamodb"), [], None
    while True:
        reply = client.scan(TableName=get_settings().table_name, ConsistentRead=True,
                            **({"ExclusiveStartKey": start} if start else {}))
        items += [i for i in reply["Items"] if not i["PK"]["S"].startswith("JOB#")]
        start = reply.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def _entry_grams(customer_id: str) -> set[str]:
    """The trigrams a customer (and its addresses) is indexed under."""
    return {i["PK"]["S"] for i in _table_items()
            if i["PK"]["S"].startswith(("SEARCH#", "ADDRSEARCH#")) and i["customer_id"]["S"] == customer_id}


def _rebuild(api) -> dict:
    """An admin starts a rebuild and the jobs queue runs it to its end; returns the job as read after."""
    started = api.post(REBUILDS, token=staff_token("admin"))
    assert started.status == 201, started.json
    run_jobs()
    return api.get(f"{REBUILDS}/{started.json['id']}", token=staff_token("admin")).json


@pytest.fixture
def stored_before(api, admin_token, new_customer, catalogue, monkeypatch):
    """Two customers, an address and a product written before transliteration, and one whose text
    has nothing to transliterate."""
    with written_before_transliteration(monkeypatch):
        lukasz = new_customer(first_name="Łukasz", last_name="Ødegaard", email="lw@example.pl")
        soren = new_customer(first_name="Søren", last_name="Hansen", email="sh@example.dk")
        assert api.post(f"/admin/customers/{soren['id']}/addresses",
                        {"line1": "Vestergade 1", "city": "Ærøskøbing", "zip": "5970", "country": "DK"},
                        token=admin_token).status == 201
        mug = api.post("/admin/products", {"sku": "LODZ-1", "name": "Łódź mug", "price": 900}, token=admin_token)
        assert mug.status == 201, mug.json
    plain = new_customer(first_name="Ann", last_name="Pedersen", email="ann@example.com")
    return {"lukasz": lukasz, "soren": soren, "plain": plain}


def test_customers_stored_before_transliteration_are_found_after_the_rebuild(api, admin_token, jobs_queue,
                                                                             stored_before):
    # Given customers, an address and a product written under the legacy fold: not found as typed
    assert _ids(api, "q=lukasz") == [] and _ids(api, "address=aeroskobing") == []
    assert any(g.startswith("SEARCH#łuk") for g in _entry_grams(stored_before["lukasz"]["id"]))
    items_before = len(_table_items())
    # When an admin rebuilds the search index
    job = _rebuild(api)
    # Then the job succeeded, having read the whole table, and says what it did: two profiles and
    # an address re-indexed (Ødegaard re-sorted with it), the mug re-keyed; the legacy entries deleted
    assert job["status"] == "succeeded" and job["kind"] == "search_reindex", job
    assert job["rows_done"] >= items_before
    assert (job["updated"], job["skipped"]) == (4, 0)
    assert job["deleted"] > 0 and job["finished_at"] and job["created_by"] == "staff:staff-1"
    # And the customers are found as typed on any keyboard, by name, email and address
    assert _ids(api, "q=lukasz") == [stored_before["lukasz"]["id"]]
    assert _ids(api, "q=odegaard") == [stored_before["lukasz"]["id"]]
    assert _ids(api, "q=soren") == [stored_before["soren"]["id"]]
    assert _ids(api, "address=aeroskobing") == [stored_before["soren"]["id"]]
    # And no entry under a legacy trigram is left: only what today's fold writes
    assert not any(not g.isascii() for g in _entry_grams(stored_before["lukasz"]["id"]))
    assert not any(not g.isascii() for g in _entry_grams(stored_before["soren"]["id"]))
    # And Ødegaard is listed among the O's, the mug found by its name as typed
    listed = _ids(api, "limit=10")
    assert listed.index(stored_before["lukasz"]["id"]) < listed.index(stored_before["plain"]["id"])  # before Pedersen
    assert [p["sku"] for p in api.get("/admin/products?q=lodz", token=admin_token).json["items"]] == ["LODZ-1"]


def test_a_second_rebuild_changes_nothing(api, jobs_queue, stored_before):
    # Given a rebuild that ran to its end
    assert _rebuild(api)["status"] == "succeeded"
    before = _table_items()
    # When an admin runs another one
    job = _rebuild(api)
    # Then it reads the table, finds every record up to date, and writes nothing
    assert job["status"] == "succeeded" and (job["updated"], job["deleted"]) == (0, 0)
    assert job["skipped"] == 3  # the two profiles and the address the new fold changes
    assert _table_items() == before


def test_a_rebuild_resumes_from_its_checkpoint_after_a_crash(api, admin_token, jobs_queue, new_customer, monkeypatch,
                                                             clock):
    from chalicelib.services import search_reindex
    from chalicelib.store import search_reindex as reindex_store

    # Given 12 customers written under the legacy fold, and steps of 5 items per segment
    with written_before_transliteration(monkeypatch):
        people = [new_customer(first_name="Łucja", last_name=f"Bøgh{n}") for n in range(12)]
    monkeypatch.setattr(search_reindex, "PAGE_ITEMS", 5)
    started = api.post(REBUILDS, token=admin_token).json
    # And an invocation that dies in the job's third step, after some of the step's writes
    pages_read: list[tuple[int, str]] = []
    real_page, real_index = reindex_store.reindex_page, reindex_store.index
    calls = {"index": 0}

    def reading(segment, total, start, limit):
        pages_read.append((segment, json.dumps(start, sort_keys=True)))
        return real_page(segment, total, start, limit)

    def dying(records):
        calls["index"] += 1
        if calls["index"] == 9:  # the first segment's page of step 3 (4 segments a step)
            raise RuntimeError("the invocation died")
        return real_index(records)

    monkeypatch.setattr(reindex_store, "reindex_page", reading)
    monkeypatch.setattr(reindex_store, "index", dying)
    died = None
    while died is None:  # each invocation runs a step and hands the job over (the test's time budget)
        [message] = pending_messages()
        try:
            run_job_message(message["Body"])
        except BatchProcessingError:  # its one record failed: Lambda delivers the message again
            died = message["Body"]
    crashed = api.get(f"{REBUILDS}/{started['id']}", token=admin_token).json
    assert crashed["status"] == "running" and crashed["rows_done"] > 0
    # When the message is delivered again, once the dead invocation's lease has run out
    clock.advance(seconds=1)
    resumed_from = len(pages_read)
    assert run_job_message(died) == {"batchItemFailures": []}
    run_jobs()
    # Then the job went on from its checkpoint: the step that died is read again from where it
    # started, and no page of the two steps committed before it
    assert pages_read[resumed_from] == pages_read[8]
    assert not set(pages_read[resumed_from:]) & set(pages_read[:8])
    job = api.get(f"{REBUILDS}/{started['id']}", token=admin_token).json
    assert job["status"] == "succeeded", job
    # And every customer is found as typed, indexed under today's fold only
    assert set(_ids(api, "q=lucja&limit=50")) == {p["id"] for p in people}
    assert all(g.isascii() for p in people for g in _entry_grams(p["id"]))


def test_a_customer_deleted_before_the_rebuild_leaves_no_legacy_entry(api, admin_token, jobs_queue, new_customer,
                                                                      monkeypatch):
    # Given a customer written under the legacy fold, deleted since (the purge deletes the entries
    # today's fold computes, not those of the legacy fold)
    with written_before_transliteration(monkeypatch):
        gone = new_customer(first_name="Bjørn", last_name="Æsir")
    assert api.delete(f"/admin/customers/{gone['id']}", token=admin_token).status == 204
    jobs_queue.deliver()
    assert _entry_grams(gone["id"])  # the legacy entries outlived the customer
    # When an admin rebuilds the search index
    assert _rebuild(api)["status"] == "succeeded"
    # Then nothing with the deleted customer's name is left
    assert _entry_grams(gone["id"]) == set()


def test_a_record_todays_rules_refuse_is_reported_and_the_rebuild_goes_on(api, jobs_queue, stored_before):
    # Given an address stored by an older version with a country today's rules refuse
    from chalicelib.store.models import AddressItem

    odd = AddressItem(PK=f"CUST#{stored_before['plain']['id']}", SK="ADDR#01J0LD", id="01J0LD",
                      customer_id=stored_before["plain"]["id"], fields={"line1": "Østergade 1", "city": "Århus",
                                                                         "country": "Denmark"})
    boto3.client("dynamodb").put_item(TableName=get_settings().table_name, Item=odd.serialize())
    # When an admin rebuilds the search index
    job = _rebuild(api)
    # Then the rebuild ends, having left that address as it was and said which it was
    assert job["status"] == "succeeded" and job["rejected"] == 1, job
    [error] = job["errors"]
    assert error["message"].startswith(f"CUST#{stored_before['plain']['id']} ADDR#01J0LD:")
    assert "Østergade" not in error["message"] and "Denmark" not in error["message"]
    # And every other record was brought to today's fold
    assert _ids(api, "q=lukasz") == [stored_before["lukasz"]["id"]]
    assert _ids(api, "address=aeroskobing") == [stored_before["soren"]["id"]]


def test_imported_customers_are_indexed_by_the_stream_under_the_new_fold(api, admin_token, jobs_queue):
    # Given a file of customers with names no accent stripping reduces, its suggested mapping taken
    drop("nordic.csv", "email,first_name,last_name\nsk@example.dk,Søren,Kierkegård\nlw@example.pl,Łukasz,Wałęsa\n"
                       .encode())
    [job] = api.get("/admin/imports", token=admin_token).json["items"]
    if job["status"] == "needs_mapping":
        assert api.patch(f"/admin/imports/{job['id']}", {"mapping": job["suggested_mapping"]}, token=admin_token).status == 200
        assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).status == 200
    # When the import runs and the stream writes the derived search entries
    run_jobs()
    jobs_queue.deliver()
    # Then they are found as typed on a plain keyboard
    assert len(_ids(api, "q=kierkegard")) == 1 and len(_ids(api, "q=walesa")) == 1


# --- who may rebuild, and what a bad request gets --------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "support"])
def test_only_admins_start_or_read_rebuilds(api, admin_token, jobs_queue, role):
    # Given a staff member who is not an admin
    token = staff_token(role)
    # When they try to start a rebuild, list or read them
    # Then they are refused, and no job was made, no step asked for
    assert api.post(REBUILDS, token=token).status == 403
    assert api.get(REBUILDS, token=token).status == 403
    assert api.get(f"{REBUILDS}/01J00000000000000000000000", token=token).status == 403
    assert api.get(REBUILDS, token=admin_token).json["items"] == [] and pending_messages() == []
    # And without a token nobody gets in
    assert api.post(REBUILDS).status == 401 and api.get(REBUILDS).status == 401


def test_a_second_start_while_one_is_under_way_is_a_409_naming_it(api, admin_token, jobs_queue):
    # Given a rebuild queued
    first = api.post(REBUILDS, token=admin_token).json
    # When an admin starts another before it ran
    again = api.post(REBUILDS, token=admin_token)
    # Then it is refused, naming the one under way, and there is still one
    assert again.status == 409 and again.json["error"]["details"] == [{"job_id": first["id"]}]
    assert [j["id"] for j in api.get(REBUILDS, token=admin_token).json["items"]] == [first["id"]]
    # And once it has run, a new one may start
    run_jobs()
    assert api.post(REBUILDS, token=admin_token).status == 201
    assert len(api.get(REBUILDS, token=admin_token).json["items"]) == 2


def test_a_start_retried_with_its_idempotency_key_is_answered_with_the_same_job(api, admin_token, jobs_queue):
    first = api.post(REBUILDS, token=admin_token, headers={"Idempotency-Key": "rebuild-1"})
    again = api.post(REBUILDS, token=admin_token, headers={"Idempotency-Key": "rebuild-1"})
    assert first.status == again.status == 201 and first.json == again.json
    assert len(pending_messages()) == 1


def test_a_rebuild_is_read_by_its_id_and_nothing_else_is(api, admin_token, jobs_queue):
    # Given a rebuild and an import job
    rebuild = api.post(REBUILDS, token=admin_token).json
    upload = api.post("/admin/imports", {"kind": "customers", "filename": "a.csv"}, token=admin_token).json
    # Then the rebuild is read by its id, as queued
    read = api.get(f"{REBUILDS}/{rebuild['id']}", token=admin_token)
    assert read.status == 200 and read.json["status"] == "queued" and read.json == rebuild
    # And an unknown id, an import's id or an absurd id is a 404
    assert api.get(f"{REBUILDS}/01J00000000000000000000000", token=admin_token).status == 404
    assert api.get(f"{REBUILDS}/{upload['job']['id']}", token=admin_token).status == 404
    assert api.get(f"{REBUILDS}/{'x' * 2000}", token=admin_token).status == 404
    # And a rebuild is not an import
    assert [j["id"] for j in api.get("/admin/imports", token=admin_token).json["items"]] == [upload["job"]["id"]]
    assert api.get(f"/admin/imports/{rebuild['id']}", token=admin_token).status == 404
    assert api.post(f"/admin/imports/{rebuild['id']}/cancel", token=admin_token).status == 404


@pytest.mark.parametrize("query, status", [("limit=0", 422), ("limit=201", 422), ("limit=abc", 422), ("page=2", 422),
                                           ("next_token=garbage", 400)])
def test_a_bad_list_query_is_refused(api, admin_token, jobs_queue, query, status):
    reply = api.get(f"{REBUILDS}?{query}", token=admin_token)
    assert reply.status == status and reply.json["error"]["code"], reply.json


def test_the_rebuilds_list_pages_newest_first(api, admin_token, jobs_queue):
    made = []
    for _ in range(3):
        made.append(api.post(REBUILDS, token=admin_token).json["id"])
        run_jobs()
    first = api.get(f"{REBUILDS}?limit=2", token=admin_token).json
    rest = api.get(f"{REBUILDS}?limit=2&next_token={first['next_token']}", token=admin_token).json
    assert [j["id"] for j in first["items"] + rest["items"]] == made[::-1]
    assert json.loads(json.dumps(rest))["next_token"] is None
