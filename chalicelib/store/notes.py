"""Staff notes: `CUST#<id>/NOTE#<ulid>`, newest first."""
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.notes import Note
from chalicelib.domain.pages import Page
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store.customers import customer_pk, event_item
from chalicelib.store.models import NoteItem, condition_failed, transact_write
from chalicelib.store.pagination import newest_first


def _to_domain(item: NoteItem) -> Note:
    return Note(id=item.id, text=item.text, author=item.author, created_at=item.created_at, editable_until=item.editable_until)


def add(customer_id: str, note: Note, event: TimelineEvent) -> None:
    with transact_write() as tx:
        tx.save(NoteItem(PK=customer_pk(customer_id), SK=f"NOTE#{note.id}", **note.model_dump()))
        tx.save(event_item(customer_id, event))


def get(customer_id: str, note_id: str) -> Note | None:
    try:
        return _to_domain(NoteItem.get(customer_pk(customer_id), f"NOTE#{note_id}", consistent_read=True))
    except NoteItem.DoesNotExist:
        return None


def _still_editable(author: str, now: str):
    return NoteItem.PK.exists() & (NoteItem.author == author) & (NoteItem.editable_until > now)


def _too_late() -> Conflict:
    return Conflict("Notes can be changed for 5 minutes after they are written.")


def change_text(customer_id: str, note_id: str, text: str, author: str, now: str) -> Note:
    """The condition repeats the rules checked before, so a note cannot be edited past its window."""
    item = NoteItem(PK=customer_pk(customer_id), SK=f"NOTE#{note_id}")
    try:
        item.update(actions=[NoteItem.text.set(text)], condition=_still_editable(author, now))
    except UpdateError as error:
        if condition_failed(error):
            raise _too_late() from error
        raise
    return _to_domain(item)


def delete(customer_id: str, note_id: str, author: str, now: str) -> None:
    try:
        NoteItem(PK=customer_pk(customer_id), SK=f"NOTE#{note_id}").delete(condition=_still_editable(author, now))
    except DeleteError as error:
        if condition_failed(error):
            raise _too_late() from error
        raise


def page(customer_id: str, limit: int, next_token: str | None) -> Page[Note]:
    return newest_first(NoteItem, customer_pk(customer_id), "NOTE#", limit, next_token, _to_domain)
