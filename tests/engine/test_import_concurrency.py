"""Two files importing the same customers at the same time make no duplicate customer.

DynamoDB Local only (tests/engine/): two jobs' steps run at once and race for the same email guards
in concurrent transactions, whose atomicity moto does not emulate."""
from concurrent.futures import ThreadPoolExecutor

from tests.support.imports import drop, pending_messages, run_job_message, run_jobs

CUSTOMERS = 120


def _file(name: str) -> bytes:
    """The admin panel's layout (recognised: the job starts on its own)."""
    rows = [f"{name}{n},{name},shared{n}@example.com" for n in range(CUSTOMERS)]
    return ("\n".join(["Name,Surname,Email", *rows]) + "\n").encode()


def test_two_files_with_the_same_emails_at_once_make_each_customer_once(api, admin_token, imports):
    from chalicelib.store.models import CustomerItem, EmailGuardItem

    # Given two files naming the same 120 customers, both recognised (the admin panel's layout)
    for name in ("Ann", "Bob"):
        drop(f"{name}.csv", _file(name))
    jobs = api.get("/admin/imports", token=admin_token).json["items"]
    assert [j["status"] for j in jobs] == ["queued", "queued"], jobs
    # When both jobs run at the same time
    messages = pending_messages()
    assert len(messages) == 2
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda message: run_job_message(message["Body"]), messages))
    assert replies == [{"batchItemFailures": []}] * 2
    run_jobs()  # any hand-over
    # Then each customer exists once: one file created it, the other updated it
    jobs = api.get("/admin/imports", token=admin_token).json["items"]
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"]
    assert sum(j["created"] for j in jobs) == CUSTOMERS and sum(j["updated"] for j in jobs) == CUSTOMERS
    profiles = list(CustomerItem.scan(CustomerItem.SK == "PROFILE"))
    guards = list(EmailGuardItem.scan(EmailGuardItem.SK == "EMAIL"))
    assert len(profiles) == len(guards) == CUSTOMERS
    assert {g.customer_id for g in guards} == {p.id for p in profiles}
