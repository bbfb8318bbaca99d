"""Admin: CSV import jobs (/admin/imports). Admins and agents import; support staff read the jobs."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.import_inputs import ImportChanges, ImportRequest

bp = Blueprint(__name__)
JOBS = "chalicelib.domain.jobs"
INPUTS = "chalicelib.domain.import_inputs"
IMPORTERS = staff("admin", "agent")


@route(bp, "/imports", "POST", access=IMPORTERS, body=f"{INPUTS}:ImportRequest", response=f"{JOBS}:UploadTicket", status=201,
       summary="A new import: the job and a presigned link to PUT the CSV file to")
def create_import(principal: Principal, body: ImportRequest):
    from chalicelib.domain.jobs import UploadTicket
    from chalicelib.services import imports as service

    job, url = service.create_upload(body.kind, body.filename, body.has_header, body.group_id, body.on_existing,
                                     body.dry_run, principal.actor)
    return UploadTicket(job=job, upload_url=url, expires_in=service.UPLOAD_LINK_SECONDS)


@route(bp, "/imports", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{JOBS}:Job"),
       summary="Import jobs, newest first")
def list_imports(principal: Principal, query: ListQuery):
    from chalicelib.services import imports

    return imports.list_jobs(query.limit, query.next_token)


@route(bp, "/imports/{job_id}", "GET", access=ANY_STAFF, response=f"{JOBS}:Job",
       summary="An import job: status, progress, counts, first errors")
def get_import(principal: Principal, job_id: str):
    from chalicelib.services import imports

    return imports.get_job(job_id)


@route(bp, "/imports/{job_id}", "PATCH", access=IMPORTERS, body=f"{INPUTS}:ImportChanges", response=f"{JOBS}:Job",
       summary="Change the mapping or options of an import not started yet")
def change_import(principal: Principal, job_id: str, body: ImportChanges):
    from chalicelib.services import imports

    return imports.change_job(job_id, body.model_dump(exclude_unset=True), principal.actor)


@route(bp, "/imports/{job_id}/dry-run", "POST", access=IMPORTERS, response=f"{JOBS}:Job",
       summary="Judge every row as the import would, writing nothing")
def dry_run_import(principal: Principal, job_id: str):
    from chalicelib.services import imports

    return imports.dry_run(job_id)


@route(bp, "/imports/{job_id}/start", "POST", access=IMPORTERS, response=f"{JOBS}:Job", summary="Start the import")
def start_import(principal: Principal, job_id: str):
    from chalicelib.services import imports

    return imports.start(job_id)


@route(bp, "/imports/{job_id}/cancel", "POST", access=IMPORTERS, response=f"{JOBS}:Job",
       summary="Cancel an import (a running one stops after its current step)")
def cancel_import(principal: Principal, job_id: str):
    from chalicelib.services import imports

    return imports.cancel(job_id)


@route(bp, "/imports/{job_id}/errors", "GET", access=ANY_STAFF, response=f"{JOBS}:ErrorFile",
       summary="A short-lived link to the rejected rows as CSV (the file's columns plus row and error)")
def import_errors(principal: Principal, job_id: str):
    from chalicelib.domain.jobs import ErrorFile
    from chalicelib.services import imports

    return ErrorFile(**imports.error_file_link(job_id))
