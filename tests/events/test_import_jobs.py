"""An import survives whatever happens to the invocations running it: hand-overs, a crash mid-step,
a step that keeps failing, a file that cannot be read, a cancel, a dead invocation's lease."""
import pytest

from chalicelib.services import customer_import
from chalicelib.store import jobs as job_store
from tests.support.imports import drop, pending_messages, run_job_message, run_jobs

ROWS = 60


def _file(rows: int = ROWS, start: int = 0) -> bytes:
    """A Shopify-layout export (recognised: it starts on its own)."""
    header = ("Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,"
              "Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,"
              "Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,"
              "Total Spent,Total Orders,Note,Tax Exempt,Tags")
    lines = [f"{9000 + i},Ann{i},Lee,ann{i}@example.com,yes,,{i} Main St,,Toronto,ON,CA,M5H 2N2,,,no,0,0,,no,vip"
             for i in range(start, start + rows)]
    return ("\n".join([header, *lines]) + "\n").encode()


def _job(api, token) -> dict:
    [job] = api.get("/admin/imports", token=token).json["items"]
    return job


def _profiles() -> list[str]:
    """Emails of the customer profiles in the table (a test-side scan: never the app's way)."""
    from chalicelib.store.models import CustomerItem

    return sorted(c.email for c in CustomerItem.scan(CustomerItem.SK == "PROFILE"))


@pytest.fixture
def small_steps(monkeypatch):
    """Steps of 20 rows, and an invocation hands the job over after each step."""
    from chalicelib.settings import get_settings

    monkeypatch.setattr(customer_import, "CHUNK_ROWS", 20)
    monkeypatch.setenv("JOB_STEP_BUDGET_SECONDS", "0.000001")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("JOB_STEP_BUDGET_SECONDS")
    get_settings.cache_clear()


def test_a_job_handed_over_between_invocations_counts_every_row_once(api, admin_token, imports, small_steps):
    # Given a 60-row file, and invocations that hand the job over after each 20-row step
    drop("handover.csv", _file())
    # When the job runs
    messages = run_jobs()
    # Then it took several invocations, and every row was imported once
    job = _job(api, admin_token)
    assert messages >= 3
    assert (job["status"], job["rows_done"], job["created"], job["updated"], job["rejected"]) == \
        ("succeeded", ROWS, ROWS, 0, 0)
    assert _profiles() == sorted(f"ann{i}@example.com" for i in range(ROWS))


class Died(BaseException):
    """An invocation killed outright (timeout, out of memory): nothing of ours catches it."""


def test_a_step_killed_after_its_writes_is_redone_without_duplicates(api, admin_token, imports, small_steps, clock,
                                                                     monkeypatch):
    # Given an import whose invocation dies during its second step, after the step's customers were
    # written but before its checkpoint was committed
    drop("crash.csv", _file())
    real_commit = job_store.commit_step
    calls = {"n": 0}

    def dying_commit(before, after, owner):
        if after.checkpoint.seq == 2 and calls["n"] == 0:
            calls["n"] += 1
            raise Died()
        return real_commit(before, after, owner)

    monkeypatch.setattr(job_store, "commit_step", dying_commit)
    for message in pending_messages():
        with pytest.raises(Died):
            while True:  # the first step hands over; the second invocation dies
                run_job_message(message["Body"])
                [message] = pending_messages()
    assert _job(api, admin_token)["rows_done"] == 20  # only the first step counted
    # When the dead invocation's lease runs out and the watchdog resumes the job
    clock.advance(minutes=20)
    from tests.support.schedules import run_schedule

    assert run_schedule("resume_stalled_jobs") == {"resumed": 1}
    run_jobs()
    # Then every row counts once, and no customer exists twice
    job = _job(api, admin_token)
    assert (job["status"], job["rows_done"], job["created"], job["updated"]) == ("succeeded", ROWS, ROWS, 0)
    assert _profiles() == sorted(f"ann{i}@example.com" for i in range(ROWS))


def test_a_step_that_keeps_failing_ends_the_job_failed_and_is_not_retried_forever(api, admin_token, imports,
                                                                                 monkeypatch):
    # Given a file whose steps fail every time (a bug, an outage)
    drop("failing.csv", _file(5))
    monkeypatch.setattr(customer_import, "step", lambda job: (_ for _ in ()).throw(RuntimeError("boom")))
    [message] = pending_messages()
    def delivered_and_failed() -> bool:
        """True when the handler failed the message (SQS then delivers it again)."""
        from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

        try:
            return bool(run_job_message(message["Body"])["batchItemFailures"])
        except BatchProcessingError:  # the batch's only record failed: the whole batch is retried
            return True

    # When SQS delivers the message again and again
    failed = [delivered_and_failed() for _ in range(7)]
    # Then the first five attempts fail (the message is retried), then the job ends failed
    assert failed == [True] * 5 + [False] * 2
    job = _job(api, admin_token)
    assert job["status"] == "failed" and "5 failed attempts" in job["message"] and job["finished_at"]


@pytest.mark.parametrize("body, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
    (b"", "empty"),
    (b"email,first_name\n", "no data rows"),
    (b"email," + b"x" * (2 * 1024 * 1024) + b"\n", "longer than"),
    ((",".join(f"c{i}" for i in range(10_000)) + "\n" + "," * 9_999 + "\n").encode(), "columns"),
])
def test_a_file_that_cannot_be_read_fails_its_job_with_a_clear_message(api, admin_token, imports, body, reason):
    # Given a poison file dropped into the bucket
    drop("poison.csv", body)
    # Then its job failed at once with a message naming the problem, and nothing waits to run
    job = _job(api, admin_token)
    assert job["status"] == "failed" and reason in job["message"].lower(), job["message"]
    assert run_jobs() == 0 and _profiles() == []


def test_a_file_that_turns_unreadable_past_its_head_fails_its_job_keeping_the_steps_done(api, admin_token, imports):
    # Given a file whose first 800 rows are fine (past the 64 KiB read at its arrival), then binary
    drop("half.csv", _file(800) + b"\x00\x01\x02 binary tail\n")
    # When it runs (steps of 500 rows)
    run_jobs()
    # Then the job failed with a message (the message was not retried), and the first step's rows stay
    job = _job(api, admin_token)
    assert job["status"] == "failed" and "binary" in job["message"], job["message"]
    assert job["rows_done"] == job["created"] == 500 and len(_profiles()) == 500


def test_a_cancelled_job_stops_at_its_next_step(api, admin_token, imports, small_steps):
    # Given a running import (its first step done)
    drop("cancel.csv", _file())
    [message] = pending_messages()
    run_job_message(message["Body"])
    job = _job(api, admin_token)
    assert job["status"] == "running" and job["rows_done"] == 20
    # When staff cancel it
    assert api.post(f"/admin/imports/{job['id']}/cancel", token=admin_token).status == 200
    run_jobs()
    # Then it stops there: cancelled, with the counts of what was done
    job = _job(api, admin_token)
    assert (job["status"], job["rows_done"], job["created"]) == ("cancelled", 20, 20)
    assert len(_profiles()) == 20
    # And a finished job cannot be cancelled again
    assert api.post(f"/admin/imports/{job['id']}/cancel", token=admin_token).status == 409


def test_progress_is_visible_while_the_job_runs(api, admin_token, imports, small_steps):
    drop("progress.csv", _file())
    [message] = pending_messages()
    run_job_message(message["Body"])
    job = _job(api, admin_token)
    # Then the job shows where it is: rows done, an estimate of the total, its start, its speed
    assert job["status"] == "running" and job["rows_done"] == 20
    assert 40 <= job["rows_total"] <= 80 and job["started_at"] and job["finished_at"] is None
    assert job["rows_per_second"] is None or job["rows_per_second"] > 0
    run_jobs()
    job = _job(api, admin_token)
    assert job["rows_total"] == ROWS and job["finished_at"] >= job["started_at"]
