"""Staff notes on a customer: editable and deletable by their author for 5 minutes."""
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import StringConstraints

from chalicelib.domain.base import Input, Record
from chalicelib.domain.clock import iso
from chalicelib.domain.errors import Conflict, Forbidden

EDIT_WINDOW = timedelta(minutes=5)
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class NoteInput(Input):
    """The text is stored as given and returned as JSON text; it is never rendered as HTML here."""

    text: NoteText


class Note(Record):
    id: str
    text: str
    author: str
    created_at: str
    editable_until: str


def editable_until(created_at: datetime) -> str:
    return iso(created_at + EDIT_WINDOW)


def check_can_edit(note: Note, author: str, now: datetime) -> None:
    """Only the author, only within the window."""
    if note.author != author:
        raise Forbidden("Only the note's author may change it.")
    if iso(now) >= note.editable_until:
        raise Conflict("Notes can be changed for 5 minutes after they are written.")
