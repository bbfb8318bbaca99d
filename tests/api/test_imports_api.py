"""Import jobs through the admin API: who may do what, and what a client may not send."""
import pytest

from chalicelib.settings import get_settings
from tests.support.api import staff_token
from tests.support.imports import drop, run_jobs


def _customer_token(customer_id: str) -> str:
    from chalicelib.domain.tokens import issue_customer_token

    return issue_customer_token(customer_id, get_settings().customer_token_secret, 3600)


def _waiting_job(api, token) -> dict:
    """A job whose file arrived in a layout we do not know: it waits for a mapping."""
    drop("waiting.csv", b"Courriel,Prenom\nann@example.com,Ann\n")
    job = api.get("/admin/imports", token=token).json["items"][0]  # newest first
    assert job["status"] == "needs_mapping" and job["source"] == "waiting.csv"
    return job


def _job_count(api, token) -> int:
    return len(api.get("/admin/imports", token=token).json["items"])


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_admins_and_agents_import(api, imports, role):
    token = staff_token(role)
    reply = api.post("/admin/imports", {"filename": "c.csv"}, token=token)
    assert reply.status == 201 and reply.json["upload_url"]
    job = _waiting_job(api, token)
    mapping = {"Courriel": "email", "Prenom": "first_name"}
    assert api.patch(f"/admin/imports/{job['id']}", {"mapping": mapping}, token=token).status == 200
    assert api.post(f"/admin/imports/{job['id']}/start", token=token).status == 200


def test_support_reads_imports_but_changes_nothing(api, admin_token, imports):
    # Given a waiting job, and a support agent
    job = _waiting_job(api, admin_token)
    support = staff_token("support")
    # Then support may read the jobs
    assert api.get("/admin/imports", token=support).status == 200
    assert api.get(f"/admin/imports/{job['id']}", token=support).json["id"] == job["id"]
    # But not start, change, try or cancel one, nor create one: 403, and nothing changed
    for method, path, body in [("POST", "/admin/imports", {"filename": "x.csv"}),
                               ("PATCH", f"/admin/imports/{job['id']}", {"mapping": {"Courriel": "email"}}),
                               ("POST", f"/admin/imports/{job['id']}/dry-run", None),
                               ("POST", f"/admin/imports/{job['id']}/start", None),
                               ("POST", f"/admin/imports/{job['id']}/cancel", None)]:
        reply = api.call(method, path, json=body, token=support)
        assert reply.status == 403 and reply.error_code == "forbidden", (method, path)
    after = api.get(f"/admin/imports/{job['id']}", token=admin_token).json
    assert (after["status"], after["mapping"]) == ("needs_mapping", {}) and _job_count(api, admin_token) == 1


def test_shoppers_and_strangers_never_reach_imports(api, admin_token, imports, new_customer):
    customer = new_customer()
    for token, status in [(None, 401), ("not-a-token", 401), (_customer_token(customer["id"]), 401)]:
        assert api.get("/admin/imports", token=token).status == status
        assert api.post("/admin/imports", {"filename": "x.csv"}, token=token).status == status
    assert _job_count(api, admin_token) == 0


@pytest.mark.parametrize("body", [{}, {"filename": ""}, {"filename": "x" * 201}, {"filename": "a.csv", "kind": "carts"},
                                  {"filename": "a.csv", "on_existing": "merge"}, {"filename": "a.csv", "surprise": 1},
                                  {"filename": "a.csv", "group_id": "No Such Group!"}, {"filename": None}])
def test_a_bad_import_request_is_refused_and_creates_nothing(api, admin_token, imports, body):
    reply = api.post("/admin/imports", body, token=admin_token)
    assert reply.status == 422 and reply.error_code == "validation_error", reply.json
    assert _job_count(api, admin_token) == 0


def test_an_unknown_group_is_refused(api, admin_token, imports):
    reply = api.post("/admin/imports", {"filename": "a.csv", "group_id": "platinum"}, token=admin_token)
    assert reply.status == 422 and _job_count(api, admin_token) == 0


@pytest.mark.parametrize("changes", [{"mapping": {"Nope": "email"}}, {"mapping": {"Courriel": "shoe_size"}},
                                     {"mapping": {"Prenom": "first_name"}}, {"mapping": None}, {"has_header": None},
                                     {"on_existing": "merge"}, {"status": "succeeded"}])
def test_a_bad_change_is_refused_and_the_job_stays_as_it_was(api, admin_token, imports, changes):
    job = _waiting_job(api, admin_token)
    reply = api.patch(f"/admin/imports/{job['id']}", changes, token=admin_token)
    assert reply.status == 422, reply.json
    after = api.get(f"/admin/imports/{job['id']}", token=admin_token).json
    assert (after["mapping"], after["has_header"], after["on_existing"]) == ({}, True, "update")


def test_a_job_cannot_start_without_a_mapping_nor_change_once_started(api, admin_token, imports):
    job = _waiting_job(api, admin_token)
    assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).status == 422
    api.patch(f"/admin/imports/{job['id']}", {"mapping": {"Courriel": "email"}}, token=admin_token)
    assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).status == 200
    assert api.post(f"/admin/imports/{job['id']}/start", token=admin_token).status == 409
    assert api.patch(f"/admin/imports/{job['id']}", {"on_existing": "skip"}, token=admin_token).status == 409
    run_jobs()
    assert api.get(f"/admin/imports/{job['id']}", token=admin_token).json["created"] == 1


def test_a_job_whose_file_has_not_arrived_cannot_run(api, admin_token, imports):
    job = api.post("/admin/imports", {"filename": "later.csv"}, token=admin_token).json["job"]
    reply = api.post(f"/admin/imports/{job['id']}/dry-run", token=admin_token)
    assert reply.status == 409 and "upload" in reply.json["error"]["message"]


def test_unknown_jobs_and_missing_error_files_are_404(api, admin_token, imports):
    for path in ("/admin/imports/01NOPE", "/admin/imports/01NOPE/errors", "/admin/imports/" + "x" * 2000):
        assert api.get(path, token=admin_token).status == 404
    job = _waiting_job(api, admin_token)
    assert api.get(f"/admin/imports/{job['id']}/errors", token=admin_token).status == 404
    for action in ("start", "cancel", "dry-run"):
        assert api.post(f"/admin/imports/01NOPE/{action}", token=admin_token).status == 404


def test_imports_list_newest_first_and_pages(api, admin_token, imports):
    for n in range(3):
        api.post("/admin/imports", {"filename": f"{n}.csv"}, token=admin_token)
    first = api.get("/admin/imports?limit=2", token=admin_token).json
    second = api.get(f"/admin/imports?limit=2&next_token={first['next_token']}", token=admin_token).json
    names = [j["filename"] for j in first["items"] + second["items"]]
    assert names == ["2.csv", "1.csv", "0.csv"]
    assert api.get("/admin/imports?next_token=garbage", token=admin_token).status == 400
