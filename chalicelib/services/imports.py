"""Customer CSV files dropped into the imports bucket become import jobs waiting for a column mapping."""
from chalicelib.aws_clients import client
from chalicelib.domain.clock import utc_now
from chalicelib.domain.ids import new_id
from chalicelib.domain.imports import ImportJob, detect_columns
from chalicelib.logs import logger
from chalicelib.store import imports as repo

_HEAD_BYTES = 64 * 1024


def register_upload(bucket: str, key: str, etag: str) -> ImportJob | None:
    """Detect the file's columns and create its job, once per file version (S3 delivers at least once).
    Returns the new job, or None when this upload was already registered."""
    head = client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{_HEAD_BYTES - 1}")["Body"].read()
    job = ImportJob(id=new_id(), source=key, columns=detect_columns(head), created_at=utc_now())
    created = repo.create_once(job, upload_key=f"{bucket}/{key}#{etag}")
    logger.info("import upload", extra={"job_id": job.id if created else None, "duplicate": not created})
    return job if created else None
