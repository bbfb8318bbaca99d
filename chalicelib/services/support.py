"""The Tickets and Reviews tabs of a customer's page. Every operation first makes sure the customer
exists (404 otherwise); a ticket or review id is looked up under that customer only."""
from chalicelib.domain import support as domain
from chalicelib.domain.customers import utc_now
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.support import (
    MessageInput,
    Review,
    ReviewChanges,
    ReviewDraft,
    Ticket,
    TicketChanges,
    TicketDraft,
    TicketMessage,
    TicketStatus,
    TicketSummary,
)
from chalicelib.services.customers import get_customer
from chalicelib.store import support as store
from chalicelib.store.pagination import Page


def list_tickets(customer_id: str, limit: int, next_token: str | None) -> Page[TicketSummary]:
    get_customer(customer_id)
    return store.ticket_page(customer_id, limit, next_token)


def open_ticket(customer_id: str, draft: TicketDraft, author: str) -> Ticket:
    """The draft's message is the first of the thread, written by whoever opens the ticket."""
    get_customer(customer_id)
    now = utc_now()
    first = TicketMessage(id=new_id(), author=author, text=draft.message, at=now)
    ticket = Ticket(id=new_id(), subject=draft.subject, status=TicketStatus.OPEN, created_at=now, updated_at=now,
                    messages=[first])
    store.open_ticket(customer_id, ticket, domain.ticket_opened_event(author, ticket.id, ticket.subject))
    return ticket


def get_ticket(customer_id: str, ticket_id: str) -> Ticket:
    get_customer(customer_id)
    ticket = store.ticket(customer_id, ticket_id)
    if ticket is None:
        raise NotFound("No ticket with this id for this customer.")
    return ticket


def change_ticket(customer_id: str, ticket_id: str, changes: TicketChanges) -> Ticket:
    sent = changes.model_dump(exclude_none=True)
    if sent:
        get_customer(customer_id)
        store.change_ticket(customer_id, ticket_id, {**sent, "updated_at": utc_now()})
    return get_ticket(customer_id, ticket_id)


def add_message(customer_id: str, ticket_id: str, message: MessageInput, author: str) -> Ticket:
    """Adding a message to a closed ticket is a 409: staff reopen it first (PATCH status open), so a
    closed ticket never comes back to life unnoticed. Returns the ticket with its whole thread."""
    ticket = get_ticket(customer_id, ticket_id)
    if not TicketStatus.can_add_message(ticket.status):
        raise Conflict("The ticket is closed; reopen it (status open) to add a message.")
    store.add_message(customer_id, ticket_id, TicketMessage(id=new_id(), author=author, text=message.text, at=utc_now()))
    return get_ticket(customer_id, ticket_id)


def list_reviews(customer_id: str, limit: int, next_token: str | None) -> Page[Review]:
    get_customer(customer_id)
    return store.review_page(customer_id, limit, next_token)


def add_review(customer_id: str, draft: ReviewDraft, actor: str) -> Review:
    """Staff record a review for the customer; it waits for approval like any other."""
    get_customer(customer_id)
    review = Review(id=new_id(), approved=False, created_at=utc_now(), **draft.model_dump())
    store.add_review(customer_id, review, domain.review_added_event(actor, review.id, review.sku, review.rating))
    return review


def change_review(customer_id: str, review_id: str, changes: ReviewChanges) -> Review:
    get_customer(customer_id)
    sent = changes.model_dump(exclude_none=True)
    review = store.change_review(customer_id, review_id, sent) if sent else store.review(customer_id, review_id)
    if review is None:
        raise NotFound("No review with this id for this customer.")
    return review


def delete_review(customer_id: str, review_id: str) -> None:
    get_customer(customer_id)
    if not store.delete_review(customer_id, review_id):
        raise NotFound("No review with this id for this customer.")
