"""Import jobs as merchants see them: a file dropped into the imports bucket or uploaded through a
presigned link becomes a job; a recognised layout starts at once, another waits for a mapping;
staff look, change the mapping and options, try a dry run, start, cancel, and download the rejected
rows. The rows themselves are imported by the job's runner (services/customer_import.py), step by
step (services/jobs.py)."""
import re
from dataclasses import replace

from chalicelib.domain.clock import utc_now
from chalicelib.domain.csv_files import UnreadableFile, inspect_file
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.import_mapping import recognise_preset, suggest_mapping, validate_mapping
from chalicelib.domain.jobs import (
    Checkpoint,
    Job,
    JobKind,
    JobStatus,
    can_cancel,
    can_change_options,
    source_of,
)
from chalicelib.domain.pages import Page
from chalicelib.logs import logger
from chalicelib.services import configuration, jobs
from chalicelib.settings import get_settings
from chalicelib.store import files
from chalicelib.store import jobs as repo

UPLOADS_PREFIX = "uploads/"  # files uploaded through POST /admin/imports: uploads/<job id>/<file name>
ORDERS_PREFIX = "orders/"  # order history files
UPLOAD_LINK_SECONDS = 300
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def _bucket() -> str:
    return get_settings().imports_bucket


def _kind_of(key: str) -> str:
    return JobKind.ORDERS if key.startswith(ORDERS_PREFIX) else JobKind.CUSTOMERS


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("1", "true", "yes", "y", "on")


def create_upload(kind: str, filename: str, has_header: bool, group_id: str | None, on_existing: str, dry_run: bool,
                  actor: str) -> tuple[Job, str]:
    """A job waiting for its file, and a 5-minute link to PUT the file to."""
    if group_id:
        configuration.checked_group(group_id)
    job_id = new_id()
    name = _SAFE_NAME.sub("_", filename).strip() or "import.csv"
    prefix = ORDERS_PREFIX + UPLOADS_PREFIX if kind == JobKind.ORDERS else UPLOADS_PREFIX
    job = Job(id=job_id, kind=kind, status=JobStatus.NEEDS_MAPPING, created_at=utc_now(), created_by=actor,
              source=f"{prefix}{job_id}/{name}", filename=filename, has_header=has_header, group_id=group_id,
              on_existing=on_existing, dry_run=dry_run)
    created = repo.create(job)
    assert created is not None and job.source is not None  # a new id: no upload guard to fail
    return created, files.upload_link(_bucket(), job.source, UPLOAD_LINK_SECONDS)


def _uploaded_job_id(key: str) -> str | None:
    """The job an uploaded file belongs to, from its key (uploads/<job id>/<name>)."""
    rest = key.removeprefix(ORDERS_PREFIX)
    if not rest.startswith(UPLOADS_PREFIX):
        return None
    job_id, _, name = rest[len(UPLOADS_PREFIX):].partition("/")
    return job_id if name else None


def register_upload(bucket: str, key: str, etag: str) -> Job | None:
    """A file arrived (S3 delivers this at least once): the job of an upload through the API gets its
    file; a file dropped into the bucket becomes a job, options from its metadata (`group`,
    `has-header`, `dry-run`, `on-existing`). Returns the job, or None when already registered."""
    job_id = _uploaded_job_id(key)
    if job_id is not None:
        job = repo.get(job_id)
        if job is None or job.size is not None:
            return None  # not ours, or its file arrived already
        try:
            return _inspected(job)
        except repo.JobChanged:
            return None  # the same notification, handled at the same time
    metadata = files.metadata(bucket, key)
    on_existing = (metadata.get("on-existing") or "update").strip().lower()
    job = Job(id=new_id(), kind=_kind_of(key), status=JobStatus.NEEDS_MAPPING, created_at=utc_now(),
              created_by="s3", source=key, filename=key.rsplit("/", 1)[-1],
              has_header=_flag(metadata.get("has-header")) is not False,
              group_id=(metadata.get("group") or "").strip() or None,
              on_existing=on_existing if on_existing in ("update", "skip") else "update",
              dry_run=bool(_flag(metadata.get("dry-run"))))
    if job.group_id:
        try:
            job = replace(job, group_id=_group_id(job.group_id))
        except InvalidInput as error:
            job = replace(job, status=JobStatus.FAILED, message=error.message, finished_at=utc_now())
    created = repo.create(job, upload_key=f"{bucket}/{key}#{etag}")
    if created is None:
        logger.info("import upload", extra={"duplicate": True})
        return None
    job = created
    return job if job.status == JobStatus.FAILED else _inspected(job)


def _group_id(given: str) -> str:
    """A group named by id or by name (a merchant writes "VIP" in the metadata)."""
    wanted = given.casefold()
    for group in configuration.list_groups():
        if wanted in (group.id.casefold(), group.name.casefold()):
            return group.id
    raise InvalidInput(f"The group '{given}' does not exist.", [{"field": "group", "message": "unknown group"}])


def _inspected(job: Job) -> Job:
    """Read the file's head: format, columns, preview, a preset or a suggested mapping. A recognised
    layout starts at once (or runs its dry run); a file that cannot be read fails the job."""
    source = source_of(job)
    size = files.size(_bucket(), source)
    chunks = files.read_from(_bucket(), source)
    try:
        inspection = inspect_file(chunks, has_header=job.has_header)
    except UnreadableFile as error:
        return repo.save(job, replace(job, size=size, status=JobStatus.FAILED, message=error.message,
                                      finished_at=utc_now()))
    finally:
        chunks.close()
    fmt = inspection.format
    preset = recognise_preset(job.kind, fmt.columns) if job.has_header else None
    custom_keys = [f.key for f in configuration.list_custom_fields()]
    after = replace(job, size=size, columns=fmt.columns, preview=inspection.preview,
                    preset=preset.name if preset else None, mapping=preset.mapping(fmt.columns) if preset else {},
                    suggested_mapping={} if preset else suggest_mapping(job.kind, fmt.columns, custom_keys),
                    rows_total=fmt.estimated_rows(size), checkpoint=Checkpoint(state={"format": fmt.model_dump()}))
    saved = repo.save(job, after)
    logger.info("import upload", extra={"job_id": job.id, "preset": saved.preset})
    if preset is not None:
        return _queue(saved, dry_run=saved.dry_run)
    return saved


def _queue(job: Job, dry_run: bool) -> Job:
    queued = repo.save(job, replace(job, status=JobStatus.QUEUED, dry_run=dry_run))
    jobs.enqueue(queued.id)
    return queued


def get_job(job_id: str) -> Job:
    job = repo.get(job_id)
    if job is None or repo.family_of(job.kind) != "imports":
        raise NotFound("No import with this id.")
    return _with_links(job)


def _with_links(job: Job) -> Job:
    seconds = get_settings().download_link_seconds
    documents = get_settings().documents_bucket
    if job.error_file:
        job = replace(job, error_file_url=files.download_link(documents, job.error_file, seconds, _error_name(job)))
    result = job.dry_run_result
    if result is not None and result.error_file:
        job = replace(job, dry_run_result=replace(result, error_file_url=files.download_link(
            documents, result.error_file, seconds, _error_name(job, dry=True))))
    return job


def _error_name(job: Job, dry: bool = False) -> str:
    stem = (job.filename or "import").rsplit(".", 1)[0]
    return f"{_SAFE_NAME.sub('_', stem)}-{'dry-run-' if dry else ''}rejected.csv"


def list_jobs(limit: int, next_token: str | None) -> Page[Job]:
    page = repo.list_page("imports", limit, next_token)
    return Page(items=[_with_links(j) for j in page.items], next_token=page.next_token)


def change_job(job_id: str, changes: dict, actor: str) -> Job:
    """Mapping and options, until the job starts. A new `has_header` reads the file's head again."""
    job = get_job(job_id)
    if not can_change_options(job):
        raise Conflict(f"The import is {job.status}: its options can no longer change.")
    if changes.get("group_id"):
        configuration.checked_group(changes["group_id"])
    after = replace(job, **changes)
    if "has_header" in changes and changes["has_header"] != job.has_header and job.size is not None:
        return _inspected(repo.save(job, after))
    if "mapping" in changes:
        _checked_mapping(after)
    return _with_links(repo.save(job, after))


def _checked_mapping(job: Job) -> dict[str, str]:
    custom_keys = [f.key for f in configuration.list_custom_fields()]
    return validate_mapping(job.kind, job.mapping, job.columns, custom_keys)


def _runnable(job: Job) -> Job:
    if job.status != JobStatus.NEEDS_MAPPING:
        raise Conflict(f"The import is {job.status}.")
    if job.size is None:
        raise Conflict("The file has not arrived yet: upload it to the link first.")
    if not job.mapping:
        raise InvalidInput("The import needs a mapping first.", [{"field": "mapping", "message": "missing"}])
    return replace(job, mapping=_checked_mapping(job))


def dry_run(job_id: str) -> Job:
    job = get_job(job_id)
    return _queue(repo.save(job, _runnable(job)), dry_run=True)


def start(job_id: str) -> Job:
    job = get_job(job_id)
    return _queue(repo.save(job, _runnable(job)), dry_run=False)


def cancel(job_id: str) -> Job:
    job = get_job(job_id)
    if not can_cancel(job):
        raise Conflict(f"The import is {job.status} already.")
    return _with_links(repo.request_cancel(job))


def error_file_link(job_id: str) -> dict:
    """A short-lived link to the rejected rows of the import (or of its dry run, if that is all)."""
    job = get_job(job_id)
    if job.error_file_url:
        return {"download_url": job.error_file_url, "rejected": job.rejected}
    if job.dry_run_result and job.dry_run_result.error_file_url:
        return {"download_url": job.dry_run_result.error_file_url, "rejected": job.dry_run_result.rejected,
                "dry_run": True}
    raise NotFound("This import has no rejected rows (yet).")
