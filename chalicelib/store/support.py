"""Tickets and reviews, in the customer's partition (so purging a deleted customer takes them too).

- ticket header `CUST#<id>/TICKET#<tid>`, listed newest first through the sparse GSI1
  `CUST#<id>#TICKETS / TICKET#<tid>` (on the base table each header is followed by its messages, so
  a page of headers alone needs the index);
- ticket messages `CUST#<id>/TICKET#<tid>#MSG#<ulid>`, one item each: a ticket with its thread is
  one Query, and an append never rewrites what another append wrote;
- reviews `CUST#<id>/REVIEW#<rid>`, newest first on the base table.
"""
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.pages import Page
from chalicelib.domain.support import Review, Ticket, TicketMessage, TicketStatus, TicketSummary
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store.customers import customer_pk, event_item
from chalicelib.store.models import ReviewItem, TableItem, TicketItem, TicketMessageItem, condition_failed, transact_write
from chalicelib.store.pagination import decode_token, encode_token, newest_first

_GSI1_KEYS = {"PK", "SK", "GSI1PK", "GSI1SK"}


def _ticket_sk(ticket_id: str) -> str:
    return f"TICKET#{ticket_id}"


def _ticket_key(customer_id: str, ticket_id: str) -> TicketItem:
    return TicketItem(PK=customer_pk(customer_id), SK=_ticket_sk(ticket_id))


def _message_item(customer_id: str, ticket_id: str, message: TicketMessage) -> TicketMessageItem:
    return TicketMessageItem(PK=customer_pk(customer_id), SK=f"{_ticket_sk(ticket_id)}#MSG#{message.id}",
                             **message.model_dump())


def _summary(item: TicketItem) -> TicketSummary:
    return TicketSummary(id=item.id, subject=item.subject, status=item.status, created_at=item.created_at,
                         updated_at=item.updated_at)



def _no_ticket() -> NotFound:
    return NotFound("No ticket with this id for this customer.")


def open_ticket(customer_id: str, ticket: Ticket, event: TimelineEvent) -> None:
    """Header, first message and `ticket_opened` event: one transaction."""
    with transact_write() as tx:
        tx.save(TicketItem(PK=customer_pk(customer_id), SK=_ticket_sk(ticket.id), GSI1PK=f"{customer_pk(customer_id)}#TICKETS",
                           GSI1SK=_ticket_sk(ticket.id), **ticket.model_dump(exclude={"messages"})),
                condition=TicketItem.PK.does_not_exist())
        for message in ticket.messages:
            tx.save(_message_item(customer_id, ticket.id, message))
        tx.save(event_item(customer_id, event))


def ticket(customer_id: str, ticket_id: str) -> Ticket:
    """Header and messages, oldest first: one consistent Query. The range holds exactly the header and
    its messages (ids are ULIDs: no other ticket's key falls between)."""
    sk = _ticket_sk(ticket_id)
    items = list(TableItem.query(customer_pk(customer_id), TableItem.SK.between(sk, f"{sk}#MSG#~"), consistent_read=True))
    if not items or not isinstance(items[0], TicketItem):
        raise _no_ticket()
    messages = [TicketMessage(id=m.id, author=m.author, text=m.text, at=m.at) for m in items[1:]
                if isinstance(m, TicketMessageItem)]
    return Ticket(**_summary(items[0]).model_dump(), messages=messages)


def ticket_page(customer_id: str, limit: int, next_token: str | None) -> Page[TicketSummary]:
    """Newest first, headers only. Read through GSI1, so a ticket opened a moment ago may show a
    moment later (the ticket itself is read consistently)."""
    start = decode_token(next_token, _GSI1_KEYS)
    result = TicketItem.gsi1.query(f"{customer_pk(customer_id)}#TICKETS", scan_index_forward=False, limit=limit,
                                   last_evaluated_key=start)
    tickets = [_summary(t) for t in result]
    return Page(items=tickets, next_token=encode_token(result.last_evaluated_key))


def change_ticket(customer_id: str, ticket_id: str, changes: dict[str, str]) -> None:
    """Set the given header fields of an existing ticket (an update never creates one)."""
    try:
        _ticket_key(customer_id, ticket_id).update(actions=[getattr(TicketItem, k).set(v) for k, v in changes.items()],
                                                   condition=TicketItem.PK.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise _no_ticket() from error
        raise


def add_message(customer_id: str, ticket_id: str, message: TicketMessage) -> None:
    """Two single-item writes, not a transaction: the header update admits the message (refused for a
    closed ticket; DynamoDB serialises writes to one item, so concurrent appends never conflict), then
    the message goes in as an item of its own. A crash in between leaves only a moved `updated_at`."""
    try:
        _ticket_key(customer_id, ticket_id).update(actions=[TicketItem.updated_at.set(message.at)],
                                                   condition=TicketItem.PK.exists() & (TicketItem.status != TicketStatus.CLOSED))
    except UpdateError as error:
        if not condition_failed(error):
            raise
        ticket(customer_id, ticket_id)  # NotFound if there is no such ticket, else it is closed
        raise Conflict("The ticket is closed; reopen it (status open) to add a message.") from error
    _message_item(customer_id, ticket_id, message).save()


def _no_review() -> NotFound:
    return NotFound("No review with this id for this customer.")


def _review_sk(review_id: str) -> str:
    return f"REVIEW#{review_id}"


def _review_key(customer_id: str, review_id: str) -> ReviewItem:
    return ReviewItem(PK=customer_pk(customer_id), SK=_review_sk(review_id))


def _review(item: ReviewItem) -> Review:
    return Review(id=item.id, sku=item.sku, rating=int(item.rating), title=item.title, text=item.text,
                  approved=item.approved, created_at=item.created_at)


def add_review(customer_id: str, review: Review, event: TimelineEvent) -> None:
    """The review and its `review_added` event: one transaction."""
    with transact_write() as tx:
        tx.save(ReviewItem(PK=customer_pk(customer_id), SK=_review_sk(review.id), **review.model_dump()),
                condition=ReviewItem.PK.does_not_exist())
        tx.save(event_item(customer_id, event))


def review(customer_id: str, review_id: str) -> Review:
    try:
        return _review(ReviewItem.get(customer_pk(customer_id), _review_sk(review_id), consistent_read=True))
    except ReviewItem.DoesNotExist:
        raise _no_review() from None


def change_review(customer_id: str, review_id: str, changes: dict) -> Review:
    """Set the given fields of an existing review and return it as stored."""
    item = _review_key(customer_id, review_id)
    try:
        item.update(actions=[getattr(ReviewItem, k).set(v) for k, v in changes.items()], condition=ReviewItem.PK.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise _no_review() from error
        raise
    return _review(item)


def delete_review(customer_id: str, review_id: str) -> None:
    try:
        _review_key(customer_id, review_id).delete(condition=ReviewItem.PK.exists())
    except DeleteError as error:
        if condition_failed(error):
            raise _no_review() from error
        raise


def review_page(customer_id: str, limit: int, next_token: str | None) -> Page[Review]:
    """Newest first: one consistent Query on the customer's partition."""
    return newest_first(ReviewItem, customer_pk(customer_id), "REVIEW#", limit, next_token, _review)
