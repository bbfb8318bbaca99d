"""The one source of "now": tests move time by replacing `now` instead of sleeping. Times are
stored and compared as ISO-8601 UTC text with milliseconds and `Z` (`iso`): they sort in time order."""
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and Z: sorts as text in time order."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    """`now()` as `iso` text."""
    return iso(now())
