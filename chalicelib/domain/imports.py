"""CSV import jobs: what a dropped file becomes before staff map its columns."""
import csv
import io

from chalicelib.domain.base import Record


class ImportStatus:
    NEEDS_MAPPING = "needs_mapping"  # columns detected; staff confirm the mapping
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ImportJob(Record):
    id: str
    kind: str = "customers"
    status: str = ImportStatus.NEEDS_MAPPING
    source: str
    columns: list[str]
    has_header: bool = True
    created_at: str


def detect_columns(head: bytes) -> list[str]:
    """Column names from the first line of a CSV (UTF-8, BOM tolerated); quoted commas respected."""
    text = head.decode("utf-8-sig", errors="replace")
    first = next(csv.reader(io.StringIO(text)), [])
    return [name.strip() for name in first]
