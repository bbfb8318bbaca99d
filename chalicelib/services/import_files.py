"""What every import step does around its own work: read the next rows of the job's file from the
checkpoint's byte offset, turn them into records or refusals, and commit where it stopped."""
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.domain.csv_files import Checkpoint as FilePosition
from chalicelib.domain.csv_files import CsvFormat, CsvRow, read_rows
from chalicelib.domain.import_rows import RejectedRow
from chalicelib.domain.jobs import Checkpoint, Counts, Job, RowError, StepResult, source_of
from chalicelib.settings import get_settings
from chalicelib.store import files


@dataclass(frozen=True)
class StepRows:
    format: CsvFormat
    start: FilePosition
    rows: list[CsvRow]
    done: bool  # the file's last row is among them


def next_rows(job: Job, limit: int) -> StepRows:
    """At most `limit` rows from the job's checkpoint, streamed from S3 (one ranged GET)."""
    fmt = CsvFormat.model_validate(job.checkpoint.state["format"])
    point = job.checkpoint
    start = FilePosition(offset=point.offset, row=point.row) if point.offset or point.row else fmt.start()
    rows: list[CsvRow] = []
    done = True
    chunks = files.read_from(get_settings().imports_bucket, source_of(job), start.offset)
    try:
        for row in read_rows(chunks, fmt, start):
            rows.append(row)
            if len(rows) >= limit:
                done = False
                break
    finally:
        chunks.close()
    return StepRows(fmt, start, rows, done)


def records_of(rows: list[CsvRow], record: Callable[[CsvRow], Any]) -> tuple[list, list[RowError]]:
    """The rows' records, and the rows refused by the mapping's rules."""
    records, refused = [], []
    for row in rows:
        parsed = record(row)
        if isinstance(parsed, RejectedRow):
            refused.append(RowError(parsed.row, parsed.message))
        else:
            records.append(parsed)
    return records, refused


def step_result(job: Job, read: StepRows, counts: Counts, refused: list[RowError]) -> StepResult:
    """The step's checkpoint after its last row, its counts, and its refused rows with their cells."""
    cells = {row.number: row.cells for row in read.rows}
    end = read.rows[-1].checkpoint if read.rows else read.start
    return StepResult(checkpoint=Checkpoint(offset=end.offset, row=end.row, state=job.checkpoint.state),
                      counts=replace(counts, rows_done=len(read.rows), rejected=len(refused)),
                      errors=[(error, cells[error.row]) for error in sorted(refused, key=lambda e: e.row)],
                      done=read.done)
