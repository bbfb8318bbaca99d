"""Admin: rebuilding the search index (/admin/search-index/rebuilds). Admins start a rebuild (a
background job) and follow it; other staff neither start nor see them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import LIST_QUERY, page_of, route, staff
from chalicelib.domain.jobs import Job, RowError
from chalicelib.domain.pages import Page
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery

bp = Blueprint(__name__)
ADMIN = staff("admin")


@dataclass
class SearchRebuild:
    """A rebuild as staff follow it: the job's status and counts, named as on every job."""

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


def _view(job: Job) -> SearchRebuild:
    return SearchRebuild(id=job.id, kind=job.kind, status=job.status, rows_done=job.rows_done, updated=job.updated,
                         skipped=job.skipped, deleted=job.deleted, rejected=job.rejected, errors=job.errors,
                         created_at=job.created_at, created_by=job.created_by,
                         started_at=job.started_at, finished_at=job.finished_at, message=job.message)


@route(bp, "/search-index/rebuilds", "POST", access=ADMIN, response=SearchRebuild, status=201,
       summary="Rebuild the search index: every customer, address and product under today's text folding "
               "(a background job; 409 while one is under way)")
def start_search_rebuild(principal: Principal):
    from chalicelib.services import search_rebuilds

    return _view(search_rebuilds.start_rebuild(principal.actor))


@route(bp, "/search-index/rebuilds", "GET", access=ADMIN, query=LIST_QUERY, response=page_of(SearchRebuild),
       summary="Search index rebuilds, newest first")
def list_search_rebuilds(principal: Principal, query: ListQuery):
    from chalicelib.services import search_rebuilds

    page = search_rebuilds.list_rebuilds(query.limit, query.next_token)
    return Page(items=[_view(job) for job in page.items], next_token=page.next_token)


@route(bp, "/search-index/rebuilds/{job_id}", "GET", access=ADMIN, response=SearchRebuild,
       summary="A search index rebuild: status and counts")
def get_search_rebuild(principal: Principal, job_id: str):
    from chalicelib.services import search_rebuilds

    return _view(search_rebuilds.get_rebuild(job_id))
