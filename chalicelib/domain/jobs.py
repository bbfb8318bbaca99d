"""Background jobs: imports now; exports, segment fills and re-indexing reuse the same record.

A job is cut into steps. After each step its checkpoint (where to go on from: a byte offset and row
number, or a page key) and its counts are committed together, under the job's sequence number, so a
redone step cannot count twice and two invocations cannot both advance one job. An invocation stops
before its time runs out and hands the job on in a message naming it; a message whose job has moved
on, or is held by a live lease, is dropped."""
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.records import PRIVATE

MAX_LISTED_ERRORS = 20  # on the job itself; the error file has them all
MAX_STEP_ATTEMPTS = 5  # a step failing this often (a crash each time) ends the job failed


class JobStatus:
    NEEDS_MAPPING = "needs_mapping"  # columns detected; staff confirm or change the mapping
    QUEUED = "queued"  # waiting for its first step
    RUNNING = "running"
    SUCCEEDED = "succeeded"  # done, even when some rows were rejected (the counts say)
    FAILED = "failed"  # the input cannot be read (or a step kept crashing): `message` says why
    CANCELLED = "cancelled"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobKind:
    CUSTOMERS = "customers"
    ORDERS = "orders"
    SEARCH_REINDEX = "search_reindex"


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class Checkpoint:
    """Where the next step starts. `seq` counts the steps committed; `state` is the runner's own
    (e.g. the file's detected format, a scan's page key)."""

    seq: int = 0
    offset: int = 0
    row: int = 0
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class Counts:
    rows_done: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    deleted: int = 0

    def plus(self, other: "Counts") -> "Counts":
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})


@dataclass
class DryRunResult:
    """What the import would do: the same judgement of every row, nothing written."""

    rows: int
    would_create: int
    would_update: int
    would_skip: int
    rejected: int
    errors: list[RowError] = field(default_factory=list)
    error_file_url: str | None = None
    finished_at: str | None = None
    error_file: str | None = field(default=None, metadata=PRIVATE)


@dataclass
class Job:
    id: str
    kind: str
    status: str
    created_at: str
    created_by: str
    source: str | None = None  # the S3 key of the file
    filename: str | None = None
    size: int | None = None  # bytes
    preset: str | None = None
    columns: list[str] = field(default_factory=list)
    preview: list[dict[str, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    suggested_mapping: dict[str, str] = field(default_factory=dict)
    has_header: bool = True
    group_id: str | None = None
    on_existing: str = "update"  # or "skip"
    dry_run: bool = False
    rows_total: int | None = None  # estimated from the byte size until the end is reached
    rows_done: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    deleted: int = 0  # items removed (a search re-index: entries written under the legacy fold)
    errors: list[RowError] = field(default_factory=list)
    error_file_url: str | None = None  # a short-lived link, made when the job is read
    started_at: str | None = None
    finished_at: str | None = None
    rows_per_second: float | None = None
    message: str | None = None  # why it failed
    dry_run_result: DryRunResult | None = None
    cancel_requested: bool = False
    checkpoint: Checkpoint = field(default_factory=Checkpoint, metadata=PRIVATE)
    attempts: int = field(default=0, metadata=PRIVATE)  # tries of the current step
    lease_until: str | None = field(default=None, metadata=PRIVATE)
    lease_owner: str | None = field(default=None, metadata=PRIVATE)  # the invocation running it
    error_file: str | None = field(default=None, metadata=PRIVATE)  # its S3 key
    version: int | None = field(default=None, metadata=PRIVATE)

    @property
    def counts(self) -> Counts:
        return Counts(self.rows_done, self.created, self.updated, self.skipped, self.rejected, self.deleted)


@dataclass
class StepResult:
    """What one step did: where the next one starts, what it counted, the rows it rejected (with
    their cells, for the error file), and whether the input is exhausted."""

    checkpoint: Checkpoint
    counts: Counts
    errors: list[tuple[RowError, list[str]]] = field(default_factory=list)
    bytes_read: int = 0
    done: bool = False


def run_name(job: Job) -> str:
    """Rows rejected by a dry run and by the import itself are kept apart."""
    return "dry" if job.dry_run else "import"


def source_of(job: Job) -> str:
    """The S3 key of the job's file (a job asked for through the API has one from the start)."""
    if job.source is None:
        raise Conflict("The import has no file.")
    return job.source


def can_change_options(job: Job) -> bool:
    """Mapping and options may change until the job starts (a dry run does not start it)."""
    return job.status == JobStatus.NEEDS_MAPPING


def can_start(job: Job) -> bool:
    return job.status == JobStatus.NEEDS_MAPPING and bool(job.mapping)


def can_cancel(job: Job) -> bool:
    return job.status not in FINISHED


def after_dry_run(job: Job, finished_at: str, error_file: str | None) -> Job:
    """The job once its dry run read every row: the result kept, counts and position reset, waiting
    for staff to start it (or change the mapping and try again)."""
    result = DryRunResult(rows=job.rows_done, would_create=job.created, would_update=job.updated,
                          would_skip=job.skipped, rejected=job.rejected, errors=job.errors, finished_at=finished_at,
                          error_file=error_file)
    return replace(job, status=JobStatus.NEEDS_MAPPING, dry_run=False, dry_run_result=result, rows_done=0, created=0,
                   updated=0, skipped=0, rejected=0, errors=[], rows_total=None, started_at=None,
                   rows_per_second=None, checkpoint=Checkpoint(seq=job.checkpoint.seq, state=job.checkpoint.state))


def estimated_rows(size: int | None, bytes_read: int, rows_read: int) -> int | None:
    """Rows in the file, estimated from the average row size so far (None before any row)."""
    if not size or not rows_read or not bytes_read:
        return None
    return max(rows_read, round(size * rows_read / bytes_read))


def rows_per_second(rows: int, started_at: str | None, at: str) -> float | None:
    if not started_at or not rows:
        return None
    seconds = (_parse(at) - _parse(started_at)).total_seconds()
    return round(rows / seconds, 1) if seconds > 0 else None


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@dataclass
class UploadTicket:
    """A new import as staff get it: the job, and where to PUT its file."""

    job: Job
    upload_url: str  # PUT the file here (5 minutes)
    expires_in: int


@dataclass
class ErrorFile:
    """A short-lived link to an import's rejected rows."""

    download_url: str
    rejected: int
    dry_run: bool = False


@dataclass
class SearchRebuild:
    """A search index rebuild as staff follow it: the job's status and counts, named as on every job."""

    id: str
    kind: str
    status: str  # queued, running, succeeded, failed (`message` says why)
    rows_done: int  # items of the table read so far
    updated: int  # customers and addresses given entries under today's fold; customers and products re-sorted
    skipped: int  # records found up to date already (a second run skips them all)
    deleted: int  # search entries written under the legacy fold, removed
    rejected: int  # records whose stored fields today's rules refuse: left as they are, listed in `errors`
    errors: list[RowError]  # the first ones: `row` numbers them in reading order, `message` names the record
    created_at: str
    created_by: str
    started_at: str | None
    finished_at: str | None
    message: str | None

    @classmethod
    def of(cls, job: Job) -> "SearchRebuild":
        return cls(id=job.id, kind=job.kind, status=job.status, rows_done=job.rows_done, updated=job.updated,
                   skipped=job.skipped, deleted=job.deleted, rejected=job.rejected, errors=job.errors,
                   created_at=job.created_at, created_by=job.created_by,
                   started_at=job.started_at, finished_at=job.finished_at, message=job.message)
