"""Runs background jobs step by step, whatever their kind (imports, the search re-index; exports and
segment fills later): one mechanism that survives the death of any invocation.

A message on the jobs queue names a job (and, for a hand-off, the token of the lease handed over).
The invocation claims the job's next step (a lease in its name, the step's attempt counted), runs
it, and commits the step's checkpoint and counts conditioned on the step it started from; it goes
on until its time budget is spent, then hands the job over in a new message. A redelivered or
duplicate message finds the step taken or the lease held, and stops. A step that crashed leaves its
lease to run out: the redelivered message (or the watchdog schedule) resumes from the checkpoint,
and the runner's writes are idempotent, so the redo has effect once. A step that keeps crashing ends
the job failed, as does an input that cannot be read."""
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from chalicelib.aws_clients import client
from chalicelib.domain import clock
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.errors import UnreadableInput
from chalicelib.domain.jobs import (
    MAX_LISTED_ERRORS,
    MAX_STEP_ATTEMPTS,
    Job,
    JobKind,
    JobStatus,
    StepResult,
    estimated_rows,
    rows_per_second,
    run_name,
)
from chalicelib.logs import logger
from chalicelib.settings import get_settings
from chalicelib.store import jobs as repo

JOBS_QUEUE = "shop-jobs"
_SAFETY_SECONDS = 30  # a step (500 rows) takes a few seconds: stop when less than this is left
_HANDOFF_SECONDS = 120  # a handed-over job waits this long for its message before the watchdog may take it


class Runner(Protocol):
    def step(self, job: Job) -> StepResult: ...

    def finish(self, job: Job) -> Job: ...


def _runner(kind: str) -> Runner:
    if kind == JobKind.CUSTOMERS:
        from chalicelib.services import customer_import

        return customer_import
    if kind == JobKind.ORDERS:
        from chalicelib.services import order_import

        return order_import
    if kind == JobKind.SEARCH_REINDEX:
        from chalicelib.services import search_reindex

        return search_reindex
    raise ValueError(f"no runner for jobs of kind {kind!r}")


def enqueue(job_id: str, token: str | None = None) -> None:
    """Ask for the job's next step (now, by whichever invocation gets the message)."""
    body = {"job_id": job_id, **({"token": token} if token else {})}
    client("sqs").send_message(QueueUrl=_queue_url(), MessageBody=json.dumps(body))


_queue_urls: dict[str, str] = {}


def _queue_url() -> str:
    if JOBS_QUEUE not in _queue_urls:
        _queue_urls[JOBS_QUEUE] = client("sqs").get_queue_url(QueueName=JOBS_QUEUE)["QueueUrl"]
    return _queue_urls[JOBS_QUEUE]


def _later(seconds: float) -> str:
    return iso(clock.now() + timedelta(seconds=seconds))


def run(job_id: str, token: str | None, remaining_seconds: Callable[[], float]) -> None:
    """Run the job's steps until it ends or this invocation's time is spent (then hand it over)."""
    owner = uuid.uuid4().hex
    budget = get_settings().job_step_budget_seconds
    stop_at = time.monotonic() + min(budget or float("inf"), remaining_seconds() - _SAFETY_SECONDS)
    job = repo.get(job_id)
    while job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        try:
            job = repo.claim_step(job, _claimed(job, owner, remaining_seconds()), owner, token, utc_now())
        except repo.JobChanged:
            return  # another invocation has it, or it moved on
        token = None
        if job.cancel_requested:
            _end(job, owner, JobStatus.CANCELLED)
            return
        if job.attempts > MAX_STEP_ATTEMPTS:
            _end(job, owner, JobStatus.FAILED,
                 f"The job stopped after {MAX_STEP_ATTEMPTS} failed attempts at row {job.checkpoint.row + 1}.")
            return
        job = _step(job, owner)
        if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return
        if time.monotonic() >= stop_at:
            handoff = f"handoff:{uuid.uuid4().hex}"
            job = repo.commit_step(job, replace(job, lease_owner=handoff, lease_until=_later(_HANDOFF_SECONDS)), owner)
            enqueue(job.id, handoff)
            return


def _claimed(job: Job, owner: str, remaining: float) -> Job:
    now = utc_now()
    started = job.started_at or now
    return replace(job, status=JobStatus.RUNNING, started_at=started, lease_owner=owner,
                   lease_until=_later(max(remaining, 0) + 30), attempts=job.attempts + 1)


def _step(job: Job, owner: str) -> Job | None:
    """One step, committed. An input that cannot be read fails the job; any other error releases the
    lease (so a retry may resume at once) and goes up for the message to be retried."""
    runner = _runner(job.kind)
    try:
        result = runner.step(job)
    except UnreadableInput as error:
        return _end(job, owner, JobStatus.FAILED, error.message)
    except Exception:
        logger.exception("job step failed", extra={"job_id": job.id, "row": job.checkpoint.row})
        with contextlib.suppress(repo.JobChanged):
            repo.commit_step(job, replace(job, lease_until=utc_now(), attempts=job.attempts), owner)
        raise
    if result.errors:
        repo.add_row_errors(job.id, run_name(job), result.errors, expires_at=int(clock.now().timestamp()) + 30 * 86400)
    after = _advanced(job, result)
    try:
        job = repo.commit_step(job, after, owner)
    except repo.JobChanged:
        return None
    if result.done:
        return _end(runner.finish(job), owner)
    return job


def _advanced(job: Job, result: StepResult) -> Job:
    counts = job.counts.plus(result.counts)
    listed = job.errors + [error for error, _ in result.errors][:max(0, MAX_LISTED_ERRORS - len(job.errors))]
    point = replace(result.checkpoint, seq=job.checkpoint.seq + 1)
    total = counts.rows_done if result.done else estimated_rows(job.size, point.offset, counts.rows_done)
    now = utc_now()
    return replace(job, checkpoint=point, errors=listed, rows_total=total, attempts=0,
                   rows_per_second=rows_per_second(counts.rows_done, job.started_at, now),
                   rows_done=counts.rows_done, created=counts.created, updated=counts.updated,
                   skipped=counts.skipped, rejected=counts.rejected, deleted=counts.deleted)


def _end(job: Job, owner: str, status: str | None = None, message: str | None = None) -> Job | None:
    """The job stops: with `status` (failed, cancelled), or as the runner's finish left it (still
    running: succeeded; back at needs_mapping after a dry run)."""
    now = utc_now()
    if status is None and job.status != JobStatus.RUNNING:
        after = replace(job, lease_owner=None, lease_until=None)
    else:
        after = replace(job, status=status or JobStatus.SUCCEEDED, finished_at=now, message=message, lease_owner=None,
                        lease_until=None, rows_per_second=rows_per_second(job.rows_done, job.started_at, now))
    try:
        ended = repo.commit_step(job, replace(after, checkpoint=replace(job.checkpoint, seq=job.checkpoint.seq + 1)),
                                 owner)
    except repo.JobChanged:
        return None
    logger.info("job ended", extra={"job_id": job.id, "status": ended.status, "rows": job.rows_done})
    return ended


def resume_stalled_jobs() -> int:
    """The watchdog: jobs whose invocation died (lease run out) get a message to go on."""
    stalled = repo.stalled(utc_now())
    for job_id in stalled:
        enqueue(job_id)
    return len(stalled)
