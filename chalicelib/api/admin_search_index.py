"""Admin: rebuilding the search index (/admin/search-index/rebuilds). Admins start a rebuild (a
background job) and follow it; other staff neither start nor see them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery

bp = Blueprint(__name__)
JOBS = "chalicelib.domain.jobs"
ADMIN = staff("admin")


@route(bp, "/search-index/rebuilds", "POST", access=ADMIN, response=f"{JOBS}:SearchRebuild", status=201,
       summary="Rebuild the search index: every customer, address and product under today's text folding "
               "(a background job; 409 while one is under way)")
def start_search_rebuild(principal: Principal):
    from chalicelib.services import search_rebuilds

    return search_rebuilds.start_rebuild(principal.actor)


@route(bp, "/search-index/rebuilds", "GET", access=ADMIN, query=LIST_QUERY, response=page_of(f"{JOBS}:SearchRebuild"),
       summary="Search index rebuilds, newest first")
def list_search_rebuilds(principal: Principal, query: ListQuery):
    from chalicelib.services import search_rebuilds

    return search_rebuilds.list_rebuilds(query.limit, query.next_token)


@route(bp, "/search-index/rebuilds/{job_id}", "GET", access=ADMIN, response=f"{JOBS}:SearchRebuild",
       summary="A search index rebuild: status and counts")
def get_search_rebuild(principal: Principal, job_id: str):
    from chalicelib.services import search_rebuilds

    return search_rebuilds.get_rebuild(job_id)
