"""The index of the nightly report files: `RFILES` / `<day>#<name>` (one item per file, written with it,
so listing a date range is one Query, never an S3 listing) and `RFILESDONE#<day>` (the day's files are
all written: a later run of the job does not redo them); `RLINK#<id>` (a file's link in a staff email:
the file's key and when the link expires)."""
from pynamodb.exceptions import PutError

from chalicelib.domain.pages import Page
from chalicelib.domain.saved_reports import ReportFile
from chalicelib.store.models import ReportDayDoneItem, ReportFileItem, ReportLinkItem, condition_failed
from chalicelib.store.pagination import decode_token, encode_token

_PK = "RFILES"
_FIELDS = ("name", "report", "day", "content_type", "size", "saved_report_id", "created_at")


def add(file: ReportFile, key: str) -> bool:
    """Index a file (once: False if it is indexed already)."""
    item = ReportFileItem(PK=_PK, SK=f"{file.day}#{file.name}", key=key, **{name: getattr(file, name) for name in _FIELDS})
    try:
        item.save(condition=ReportFileItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def page(day_from: str, day_to: str, limit: int, next_token: str | None) -> Page[tuple[ReportFile, str]]:
    """The files of the days in the range, oldest day first: (file, its key in the bucket)."""
    start = decode_token(next_token, {"PK", "SK"})
    result = ReportFileItem.query(_PK, ReportFileItem.SK.between(f"{day_from}#", f"{day_to}$"), limit=limit,
                                  last_evaluated_key=start)
    items = [(ReportFile(**{name: getattr(item, name) for name in _FIELDS} | {"size": int(item.size)}), item.key)
             for item in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def day_done(day: str) -> bool:
    try:
        ReportDayDoneItem.get(f"RFILESDONE#{day}", "RFILESDONE", consistent_read=True)
    except ReportDayDoneItem.DoesNotExist:
        return False
    return True


def mark_day_done(day: str, at: str) -> None:
    ReportDayDoneItem(PK=f"RFILESDONE#{day}", SK="RFILESDONE", at=at).save()


def add_link(link_id: str, key: str, expires_at: int) -> None:
    ReportLinkItem(PK=f"RLINK#{link_id}", SK="RLINK", key=key, expires_at=expires_at).save()


def link(link_id: str) -> tuple[str, int] | None:
    """(the file's key, when the link expires) of a link, or None (never made, or gone with its TTL)."""
    try:
        item = ReportLinkItem.get(f"RLINK#{link_id}", "RLINK")
    except ReportLinkItem.DoesNotExist:
        return None
    return item.key, int(item.expires_at)
