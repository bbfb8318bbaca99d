"""Background jobs: `JOB#<id>/JOB`, listed newest first in GSI1 `JOBS#<family>` (imports, exports, search);
while queued or running also in GSI2 `JOBS#active` by lease expiry, so a watchdog finds the stalled
ones with one Query. A rejected row is `JOB#<id>/ERR#<row>`. An upload guard
`UPLOAD#<bucket>/<key>#<etag>` makes a twice-delivered S3 notification create one job.

Step commits are conditioned on the job's step sequence number `seq`: a redone step (its invocation
died before committing) commits once, and of two invocations running one job only one goes on."""
import dataclasses
from collections.abc import Iterator

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.errors import Conflict
from chalicelib.domain.jobs import FINISHED, Checkpoint, DryRunResult, Job, JobKind, JobStatus, RowError
from chalicelib.domain.pages import Page
from chalicelib.store.models import (
    ALL_OLD,
    JobItem,
    JobRowErrorItem,
    JobSeenEmailItem,
    UploadGuardItem,
    failed_conditions,
    transact_write,
)
from chalicelib.store.pagination import decode_token, encode_token

_JOB = "JOB"
_ACTIVE = "JOBS#active"
_TOP_LEVEL = ("id", "kind", "status", "created_at", "created_by", "attempts", "lease_until", "lease_owner",
              "cancel_requested", "version", "checkpoint")


class JobChanged(Conflict):
    """The job moved on meanwhile (another invocation, a cancel, an edit): read it again."""


def _pk(job_id: str) -> str:
    return f"JOB#{job_id}"


def family_of(kind: str) -> str:
    """The list a job is in: imports, exports, or the search re-indexes."""
    if kind == JobKind.SEARCH_REINDEX:
        return "search"
    return "exports" if kind.startswith("export") else "imports"


def _active_keys(status: str, lease_until: str | None, job_id: str) -> dict:
    active = status not in FINISHED and status != JobStatus.NEEDS_MAPPING
    return {"GSI2PK": _ACTIVE if active else None, "GSI2SK": f"{lease_until or ''}#{job_id}" if active else None}


def _item(job: Job) -> JobItem:
    details = {k: v for k, v in dataclasses.asdict(job).items() if k not in _TOP_LEVEL}
    details["checkpoint"] = {"offset": job.checkpoint.offset, "row": job.checkpoint.row, "state": job.checkpoint.state}
    return JobItem(PK=_pk(job.id), SK=_JOB, GSI1PK=f"JOBS#{family_of(job.kind)}", GSI1SK=f"{job.created_at}#{job.id}",
                   id=job.id, kind=job.kind, status=job.status, created_at=job.created_at, created_by=job.created_by,
                   details=details, seq=job.checkpoint.seq, attempts=job.attempts, lease_until=job.lease_until,
                   **_active_keys(job.status, job.lease_until, job.id))


def _to_domain(item: JobItem) -> Job:
    details = dict(item.details)
    point = details.pop("checkpoint", {})
    details["errors"] = [RowError(**e) for e in details.get("errors", [])]
    if details.get("dry_run_result"):
        result = dict(details["dry_run_result"])
        result["errors"] = [RowError(**e) for e in result.get("errors", [])]
        details["dry_run_result"] = DryRunResult(**result)
    return Job(id=item.id, kind=item.kind, status=item.status, created_at=item.created_at, created_by=item.created_by,
               attempts=int(item.attempts or 0), lease_until=item.lease_until, lease_owner=item.lease_owner,
               cancel_requested=bool(item.cancel_requested), version=item.version,
               checkpoint=Checkpoint(seq=int(item.seq or 0), **point), **details)


def create(job: Job, upload_key: str | None = None) -> Job | None:
    """A new job; with `upload_key`, unless this exact upload has one already (then None)."""
    item = _item(job)
    try:
        with transact_write() as tx:
            if upload_key is not None:
                tx.save(UploadGuardItem(PK=f"UPLOAD#{upload_key}", SK="UPLOAD", job_id=job.id),
                        condition=UploadGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
            tx.save(item, condition=JobItem.PK.does_not_exist())
    except TransactWriteError as error:
        if "upload_guard" in failed_conditions(error):
            return None
        raise
    return _to_domain(item)


def get(job_id: str) -> Job | None:
    try:
        return _to_domain(JobItem.get(_pk(job_id), _JOB, consistent_read=True))
    except JobItem.DoesNotExist:
        return None


def list_page(family: str, limit: int, next_token: str | None) -> Page[Job]:
    """Newest first."""
    start = decode_token(next_token, {"PK", "SK", "GSI1PK", "GSI1SK"})
    result = JobItem.gsi1.query(f"JOBS#{family}", scan_index_forward=False, limit=limit, last_evaluated_key=start)
    jobs = [_to_domain(i) for i in result]
    return Page(items=jobs, next_token=encode_token(result.last_evaluated_key))


def save(before: Job, after: Job) -> Job:
    """Staff's change of a job that no step is running (options, mapping, start), under the version read."""
    return _write(after, JobItem.version == before.version)


def claim_step(before: Job, after: Job, owner: str, token: str | None, now: str) -> Job:
    """Take the job's next step for invocation `owner` (the job as it stands once claimed: lease,
    attempts, status). Only if the job is still at the step read and active, and its lease is free,
    ran out, is `owner`'s, or was handed to `token`'s holder."""
    holders = [owner] + ([token] if token else [])
    free = (JobItem.lease_until.does_not_exist() | (JobItem.lease_until < now) | JobItem.lease_owner.is_in(*holders))
    condition = ((JobItem.seq == before.checkpoint.seq) & JobItem.status.is_in(JobStatus.QUEUED, JobStatus.RUNNING)
                 & free)
    return _write(after, condition, owner)


def commit_step(before: Job, after: Job, owner: str) -> Job:
    """The step's checkpoint and counts (and the lease as `after` holds it), if `owner` still holds
    the job at the step it started from."""
    return _write(after, (JobItem.seq == before.checkpoint.seq) & (JobItem.lease_owner == owner), after.lease_owner)


def request_cancel(job: Job) -> Job:
    """Flag the job (a running one stops at its next step: the step's commit never clears the flag);
    a job no step runs is cancelled at once."""
    key = JobItem(PK=_pk(job.id), SK=_JOB)
    key.version = 0  # bumped, unchecked: the condition below says what must hold
    actions: list[Action] = [JobItem.cancel_requested.set(True)]
    if job.status in (JobStatus.NEEDS_MAPPING, JobStatus.QUEUED):
        actions += [JobItem.status.set(JobStatus.CANCELLED), JobItem.GSI2PK.remove(), JobItem.GSI2SK.remove()]
    try:
        key.update(actions=actions, condition=JobItem.status == job.status, add_version_condition=False)
    except UpdateError as error:
        if _condition_failed(error):
            raise JobChanged("The job changed meanwhile; read it again.") from None
        raise
    return _to_domain(key)


def _write(job: Job, condition, owner: str | None = None) -> Job:
    """The whole job item (but staff's cancel flag, which only `request_cancel` sets) under `condition`."""
    item = _item(job)
    key = JobItem(PK=_pk(job.id), SK=_JOB)
    key.version = 0
    names = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "id", "kind", "status", "created_at", "created_by", "details",
             "seq", "attempts", "lease_until")
    actions = [getattr(JobItem, n).set(getattr(item, n)) if getattr(item, n) is not None else getattr(JobItem, n).remove()
               for n in names]
    actions.append(JobItem.lease_owner.set(owner) if owner else JobItem.lease_owner.remove())
    try:
        key.update(actions=actions, condition=condition & JobItem.PK.exists(), add_version_condition=False)
    except UpdateError as error:
        if _condition_failed(error):
            raise JobChanged("The job changed meanwhile; read it again.") from None
        raise
    return _to_domain(key)


def _condition_failed(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def stalled(before: str, limit: int = 100) -> list[str]:
    """Ids of queued or running jobs whose lease ran out before `before` (their invocation died)."""
    return [i.id for i in JobItem.gsi2.query(_ACTIVE, before > JobItem.GSI2SK, limit=limit)]


def add_row_errors(job_id: str, run: str, errors: list[tuple[RowError, list[str]]], expires_at: int) -> None:
    """Rejected rows of a run ("dry" or "import") with their cells; keyed by row, so a redone step
    writes them once."""
    with JobRowErrorItem.batch_write() as batch:
        for error, cells in errors:
            batch.save(JobRowErrorItem(PK=_pk(job_id), SK=f"ERR#{run}#{error.row:012d}", row=error.row, cells=cells,
                                       message=error.message, expires_at=expires_at))


def row_errors(job_id: str, run: str) -> Iterator[tuple[int, list[str], str]]:
    """Every rejected row of a run, in row order: (row, cells, message)."""
    for item in JobRowErrorItem.query(_pk(job_id), JobRowErrorItem.SK.startswith(f"ERR#{run}#")):
        yield int(item.row), [str(cell) for cell in item.cells], item.message


def seen_emails(job_id: str, keys: list[str]) -> dict[str, int]:
    """A dry run's marks: the row where each of these emails was first met (those met so far)."""
    if not keys:
        return {}
    found = JobSeenEmailItem.batch_get([(_pk(job_id), f"SEEN#{key}") for key in dict.fromkeys(keys)])
    return {str(item.SK).removeprefix("SEEN#"): int(item.row) for item in found}


def mark_emails_seen(job_id: str, first_rows: dict[str, int], expires_at: int) -> None:
    with JobSeenEmailItem.batch_write() as batch:
        for key, row in first_rows.items():
            batch.save(JobSeenEmailItem(PK=_pk(job_id), SK=f"SEEN#{key}", row=row, expires_at=expires_at))
