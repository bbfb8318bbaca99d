"""The Tickets and Reviews tabs of a customer's page. Every operation first makes sure the customer
exists; a ticket or review is looked up under that customer only, so another customer's id is a 404."""
from chalicelib.domain import support as domain
from chalicelib.domain.clock import utc_now
from chalicelib.domain.ids import new_id
from chalicelib.domain.pages import Page
from chalicelib.domain.support import (
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
    return store.ticket(customer_id, ticket_id)


def change_ticket(customer_id: str, ticket_id: str, changes: TicketChanges) -> Ticket:
    ticket = get_ticket(customer_id, ticket_id)
    sent = changes.model_dump(exclude_unset=True)
    if not sent:
        return ticket
    changed = {**sent, "updated_at": utc_now()}
    store.change_ticket(customer_id, ticket_id, changed)
    return ticket.model_copy(update=changed)


def add_message(customer_id: str, ticket_id: str, text: str, author: str) -> TicketMessage:
    """Adding a message to a closed ticket is a 409: staff reopen it first (PATCH status open), so a
    closed ticket never comes back to life unnoticed. A message never changes the status otherwise."""
    get_customer(customer_id)
    message = TicketMessage(id=new_id(), author=author, text=text, at=utc_now())
    store.add_message(customer_id, ticket_id, message)
    return message


def list_reviews(customer_id: str, limit: int, next_token: str | None) -> Page[Review]:
    get_customer(customer_id)
    return store.review_page(customer_id, limit, next_token)


def add_review(customer_id: str, draft: ReviewDraft, actor: str) -> Review:
    """A review starts unapproved, whoever records it: approving is its own, visible step."""
    get_customer(customer_id)
    review = Review(id=new_id(), approved=False, created_at=utc_now(), **draft.model_dump())
    store.add_review(customer_id, review, domain.review_added_event(actor, review.id, review.sku, review.rating))
    return review


def change_review(customer_id: str, review_id: str, changes: ReviewChanges) -> Review:
    get_customer(customer_id)
    sent = changes.model_dump(exclude_unset=True)
    return store.change_review(customer_id, review_id, sent) if sent else store.review(customer_id, review_id)


def delete_review(customer_id: str, review_id: str) -> None:
    get_customer(customer_id)
    store.delete_review(customer_id, review_id)
