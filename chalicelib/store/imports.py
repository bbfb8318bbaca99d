"""Import jobs: `JOB#<id>/JOB` (GSI1 `JOBS` by creation time). An upload guard
`UPLOAD#<bucket>/<key>#<etag>` makes a twice-delivered S3 notification create one job."""
from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.imports import ImportJob
from chalicelib.store.models import ALL_OLD, ImportJobItem, UploadGuardItem, failed_conditions, transact_write


def create_once(job: ImportJob, upload_key: str) -> bool:
    """Create the job unless this exact upload already has one. True if created."""
    item = ImportJobItem(PK=f"JOB#{job.id}", SK="JOB", GSI1PK="JOBS", GSI1SK=job.created_at, **job.model_dump())
    guard = UploadGuardItem(PK=f"UPLOAD#{upload_key}", SK="UPLOAD", job_id=job.id)
    try:
        with transact_write() as tx:
            tx.save(guard, condition=UploadGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
            tx.save(item, condition=ImportJobItem.PK.does_not_exist())
    except TransactWriteError as error:
        if "upload_guard" in failed_conditions(error):
            return False
        raise
    return True


def get(job_id: str) -> ImportJob | None:
    try:
        item = ImportJobItem.get(f"JOB#{job_id}", "JOB", consistent_read=True)
    except ImportJobItem.DoesNotExist:
        return None
    return ImportJob(**{name: getattr(item, name) for name in ImportJob.model_fields})
