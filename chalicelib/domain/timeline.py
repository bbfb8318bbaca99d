"""Timeline events: one small, append-only record per happening (type in the past tense), on a
customer's or an order's timeline, written in the same transaction as the change it records."""
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.clock import utc_now
from chalicelib.domain.ids import new_id


@dataclass
class TimelineEvent:
    """One small, append-only record per happening (type in the past tense)."""

    id: str
    type: str
    at: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


def new_event(event_type: str, actor: str, data: dict | None = None, at: str | None = None,
              event_id: str | None = None) -> TimelineEvent:
    """An event happening now (or `at`), with a fresh id (or `event_id`: one written again, e.g. by a
    job's step redone, is then the same event)."""
    return TimelineEvent(id=event_id or new_id(), type=event_type, at=at or utc_now(), actor=actor, data=data or {})
