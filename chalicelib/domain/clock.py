"""The one source of "now": tests move time by replacing `now` instead of sleeping."""
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
