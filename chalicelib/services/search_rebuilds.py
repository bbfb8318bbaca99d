"""Search index rebuilds as staff see them: start one (a background job, services/search_reindex.py),
follow it. One at a time: a second start while one is queued or running is a 409 naming it. A new job's
checkpoint is empty (the runner starts every segment at its beginning), so these request paths never
load the runner and its Scan."""
from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.jobs import FINISHED, Checkpoint, Job, JobKind, JobStatus, SearchRebuild
from chalicelib.domain.pages import Page
from chalicelib.services import jobs
from chalicelib.store import jobs as repo

_FAMILY = repo.family_of(JobKind.SEARCH_REINDEX)


def start_rebuild(actor: str) -> SearchRebuild:
    """A queued re-index job, its first step asked for. If the message is lost, the watchdog finds
    the queued job and sends it again."""
    latest = repo.list_page(_FAMILY, 1, None).items
    if latest and latest[0].status not in FINISHED:
        raise Conflict("A search index rebuild is already under way.", [{"job_id": latest[0].id}])
    job = Job(id=new_id(), kind=JobKind.SEARCH_REINDEX, status=JobStatus.QUEUED, created_at=utc_now(),
              created_by=actor, checkpoint=Checkpoint())
    created = repo.create(job)
    assert created is not None  # a new id: no upload guard to fail
    jobs.enqueue(created.id)
    return SearchRebuild.of(created)


def get_rebuild(job_id: str) -> SearchRebuild:
    job = repo.get(job_id)
    if job is None or job.kind != JobKind.SEARCH_REINDEX:
        raise NotFound("No search index rebuild with this id.")
    return SearchRebuild.of(job)


def list_rebuilds(limit: int, next_token: str | None) -> Page[SearchRebuild]:
    """Newest first."""
    page = repo.list_page(_FAMILY, limit, next_token)
    return Page(items=[SearchRebuild.of(job) for job in page.items], next_token=page.next_token)
