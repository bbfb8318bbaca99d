"""What an import leaves when its last row is read: the error file (the merchant's rejected rows
as they wrote them, each with its row number and the reason, to fix and upload again) and, for a
dry run, its result (the job then waits to be started)."""
import csv
import io
from collections.abc import Iterator
from dataclasses import replace

from chalicelib.domain.clock import utc_now
from chalicelib.domain.jobs import Job, after_dry_run, run_name
from chalicelib.settings import get_settings
from chalicelib.store import files
from chalicelib.store import jobs as repo


def finished(job: Job) -> Job:
    """After the last row: the error file, and for a dry run its result (the job waits again)."""
    error_file = _write_error_file(job) if job.rejected else None
    if job.dry_run:
        return after_dry_run(job, utc_now(), error_file)
    return replace(job, error_file=error_file)


def _write_error_file(job: Job) -> str:
    """The merchant's rejected rows as they wrote them, plus `row` and `error`: fix and upload again."""
    fmt = job.checkpoint.state["format"]
    delimiter = fmt.get("delimiter", ",")
    key = f"imports/{job.id}/{'dry-run-' if job.dry_run else ''}rejected.csv"

    def lines() -> Iterator[bytes]:
        yield "\ufeff".encode()  # spreadsheets then read UTF-8 as UTF-8
        header = [*(job.columns if job.has_header else []), "row", "error"]
        for row, cells, message in [(0, header, None), *repo.row_errors(job.id, run_name(job))]:
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter).writerow(cells if message is None else [*cells, row, message])
            yield out.getvalue().encode()

    files.write(get_settings().documents_bucket, key, lines(), "text/csv; charset=utf-8")
    return key
