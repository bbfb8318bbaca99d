"""Support: a customer's tickets (a subject and a thread of messages) and product reviews.

Text is stored as given and returned as JSON, never rendered as HTML here. Subjects and titles are
one line of plain text (no control characters, no '<' or '>', like names); message and review texts
are free text (like notes).
"""
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from chalicelib.domain.base import Changes, Input, Record
from chalicelib.domain.timeline import TimelineEvent, new_event

_ONE_LINE = r"^[^<>\x00-\x1f\x7f]*$"
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_ONE_LINE)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=_ONE_LINE)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Rating = Annotated[StrictInt, Field(ge=1, le=5)]  # strict: "5", 4.0 or true are not ratings


class TicketStatus:
    """Any status may follow any other: staff close a ticket and reopen it by setting `open`."""

    OPEN = "open"  # waiting for staff
    PENDING = "pending"  # waiting for the customer
    CLOSED = "closed"  # done; takes no messages until reopened (a deliberate PATCH, not a stray message)


class TicketDraft(Input):
    subject: Subject
    message: Text


class TicketChanges(Changes):
    subject: Subject | None = None
    status: Literal["open", "pending", "closed"] | None = None


class MessageInput(Input):
    text: Text


class TicketMessage(Record):
    id: str
    author: str
    text: str
    at: str


class TicketSummary(Record):
    """A line of the Tickets tab."""

    id: str
    subject: str
    status: str
    created_at: str
    updated_at: str  # the last change or message


class Ticket(TicketSummary):
    messages: list[TicketMessage]  # oldest first


class ReviewDraft(Input):
    sku: Sku
    rating: Rating
    title: Title = ""
    text: Text


class ReviewChanges(Changes):
    approved: bool | None = None
    title: Title | None = None  # "" clears it
    text: Text | None = None
    rating: Rating | None = None


class Review(Record):
    id: str
    sku: str
    rating: int
    title: str
    text: str
    approved: bool  # moderation: staff approve a review before it may be shown
    created_at: str


def ticket_opened_event(actor: str, ticket_id: str, subject: str) -> TimelineEvent:
    return new_event("ticket_opened", actor, {"ticket_id": ticket_id, "subject": subject})


def review_added_event(actor: str, review_id: str, sku: str, rating: int) -> TimelineEvent:
    return new_event("review_added", actor, {"review_id": review_id, "sku": sku, "rating": rating})
