"""The search re-index job's runner (services/jobs.py runs it step by step): brings what was written
under the legacy fold (search entries, customers' list keys, products' name keys) to today's fold,
which transliterates ('lukasz' finds Łukasz). Started by staff (services/search_rebuilds.py).

The table is read by a parallel Scan, the one place the app scans (an explicit background job):
SEGMENTS segments, each step reads one page of each unfinished segment, side by side. The
checkpoint's state holds each segment's LastEvaluatedKey. Every write of a page is conditioned or
idempotent (store/search_reindex.py::reindex_page), so a step redone after a crash finds its own work
done, and a second run of the whole job changes nothing."""
from concurrent.futures import ThreadPoolExecutor

from chalicelib.domain.jobs import Checkpoint, Counts, Job, RowError, StepResult
from chalicelib.settings import get_settings
from chalicelib.store import search_reindex as repo

SEGMENTS = 4
PAGE_ITEMS = 1000  # items read per segment and step (a Scan page also stops at 1 MB)
_DONE = "done"


def step(job: Job) -> StepResult:
    """A page of each segment not finished yet; done when every segment is."""
    positions: list = list(job.checkpoint.state.get("segments") or [None] * SEGMENTS)  # new: every segment at its start
    open_segments = [n for n, position in enumerate(positions) if position != _DONE]
    with ThreadPoolExecutor(min(len(open_segments), get_settings().bulk_write_threads) or 1) as pool:
        pages = list(pool.map(lambda n: repo.reindex_page(n, len(positions), positions[n], PAGE_ITEMS), open_segments))
    counts, refused = Counts(), list[str]()
    for segment, page in zip(open_segments, pages, strict=True):
        positions[segment] = page.next_key or _DONE
        counts = counts.plus(Counts(rows_done=page.scanned, updated=page.reindexed, skipped=page.up_to_date,
                                    deleted=page.deleted, rejected=len(page.refused)))
        refused += page.refused
    # `row`: items read before this step, so each refused record gets a number of its own
    errors: list[tuple[RowError, list[str]]] = [
        (RowError(job.checkpoint.row + n + 1, f"{key}: stored fields today's rules refuse; left as they are"), [])
        for n, key in enumerate(refused)]
    point = Checkpoint(seq=job.checkpoint.seq, row=job.checkpoint.row + counts.rows_done,
                       state={**job.checkpoint.state, "segments": positions})
    return StepResult(checkpoint=point, counts=counts, errors=errors, done=all(p == _DONE for p in positions))


def finish(job: Job) -> Job:
    """Nothing to close: each step made its page's writes."""
    return job
