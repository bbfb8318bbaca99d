"""Saved reports: `SAVEDREPORTS` / `<id>` (a small collection, read with one Query per page), and what a
scheduled run writes: the last day it covered, with the emails to its recipients, in ONE transaction."""
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.saved_reports import SavedReport, StaffMail
from chalicelib.store import staff_mail
from chalicelib.store.models import (
    SavedReportItem,
    condition_failed,
    transact_write,
    unchecked_version,
)
from chalicelib.store.pagination import Page, decode_token, encode_token

_PK = "SAVEDREPORTS"


def _to_domain(item: SavedReportItem) -> SavedReport:
    return SavedReport(id=item.id, created_at=item.created_at, created_by=item.created_by, updated_at=item.updated_at,
                       last_covered=item.last_covered, **item.body)


def _item(report: SavedReport) -> SavedReportItem:
    return SavedReportItem(PK=_PK, SK=report.id, id=report.id, body=report.definition(), created_at=report.created_at,
                           created_by=report.created_by, updated_at=report.updated_at,
                           last_covered=report.last_covered.isoformat() if report.last_covered else None)


def get(report_id: str) -> tuple[SavedReport, int] | None:
    """The saved report and its version (for a change under it)."""
    try:
        item = SavedReportItem.get(_PK, report_id, consistent_read=True)
    except SavedReportItem.DoesNotExist:
        return None
    return _to_domain(item), item.version


def create(report: SavedReport) -> None:
    _item(report).save(condition=SavedReportItem.PK.does_not_exist())


def update(report: SavedReport, version: int) -> None:
    """The changed definition under the version read (409 if it changed meanwhile or is gone). The
    schedule's bookkeeping (`last_covered`) is the nightly job's: kept as stored."""
    item = _item(report)
    item.version = version
    try:
        item.update(actions=[SavedReportItem.body.set(item.body), SavedReportItem.updated_at.set(item.updated_at)],
                    condition=SavedReportItem.PK.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("The saved report was changed by someone else meanwhile; read it again and retry.")
        raise


def delete(report_id: str) -> bool:
    try:
        SavedReportItem(PK=_PK, SK=report_id).delete(condition=SavedReportItem.PK.exists(), add_version_condition=False)
    except DeleteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def page(limit: int, next_token: str | None) -> Page[SavedReport]:
    start = decode_token(next_token, {"PK", "SK"})
    result = SavedReportItem.query(_PK, limit=limit, last_evaluated_key=start, consistent_read=True)
    items = [_to_domain(item) for item in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def scheduled() -> list[SavedReport]:
    """Every saved report with a schedule (the collection is small: read whole, filtered)."""
    return [_to_domain(item) for item in SavedReportItem.query(_PK, consistent_read=True) if item.body.get("schedule")]


def record_run(report_id: str, covered_to: str, mails: list[StaffMail]) -> bool:
    """The range up to `covered_to` is mailed: `last_covered` moves there and the emails are queued, in
    one transaction conditioned on `last_covered` being earlier. False if another run did it first (or
    the report was deleted meanwhile)."""
    try:
        with transact_write() as tx:
            tx.update(unchecked_version(SavedReportItem(PK=_PK, SK=report_id)), actions=[SavedReportItem.last_covered.set(covered_to)],
                      condition=SavedReportItem.PK.exists() & (SavedReportItem.last_covered.does_not_exist()
                                                               | (SavedReportItem.last_covered < covered_to)),
                      add_version_condition=False)
            for mail in mails:
                tx.save(staff_mail.queued_item(mail))
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True
