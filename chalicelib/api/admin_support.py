"""Admin: a customer's Tickets and Reviews tabs. Every staff role may read and write them."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, route
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
support = lazy_import("chalicelib.services.support")


@route(bp, "/customers/{customer_id}/tickets", "GET", access=ANY_STAFF, query=LIST_QUERY, response=list["chalicelib.domain.support:TicketSummary"],
       summary="A customer's support tickets, newest first")
def list_tickets(principal, customer_id: str, query: ListQuery):
    return support.list_tickets(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/tickets", "POST", access=ANY_STAFF, body="chalicelib.domain.support:TicketDraft", response="chalicelib.domain.support:Ticket", status=201,
       summary="Open a ticket with its first message")
def open_ticket(principal, customer_id: str, body: TicketDraft):
    return support.open_ticket(customer_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}", "GET", access=ANY_STAFF, response="chalicelib.domain.support:Ticket",
       summary="A ticket with its messages, oldest first")
def get_ticket(principal, customer_id: str, ticket_id: str):
    return support.get_ticket(customer_id, ticket_id)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}", "PATCH", access=ANY_STAFF, body="chalicelib.domain.support:TicketChanges", response="chalicelib.domain.support:Ticket",
       summary="Change a ticket's subject or status (status open reopens a closed ticket)")
def change_ticket(principal, customer_id: str, ticket_id: str, body: TicketChanges):
    return support.change_ticket(customer_id, ticket_id, body)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}/messages", "POST", access=ANY_STAFF, body="chalicelib.domain.support:MessageInput",
       response="chalicelib.domain.support:TicketMessage", status=201, summary="Add a message to a ticket (409 if the ticket is closed)")
def add_message(principal, customer_id: str, ticket_id: str, body: MessageInput):
    return support.add_message(customer_id, ticket_id, body.text, principal.actor)


@route(bp, "/customers/{customer_id}/reviews", "GET", access=ANY_STAFF, query=LIST_QUERY, response=list["chalicelib.domain.support:Review"],
       summary="A customer's product reviews, newest first")
def list_reviews(principal, customer_id: str, query: ListQuery):
    return support.list_reviews(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/reviews", "POST", access=ANY_STAFF, body="chalicelib.domain.support:ReviewDraft", response="chalicelib.domain.support:Review", status=201,
       summary="Record a review (unapproved)")
def add_review(principal, customer_id: str, body: ReviewDraft):
    return support.add_review(customer_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/reviews/{review_id}", "PATCH", access=ANY_STAFF, body="chalicelib.domain.support:ReviewChanges", response="chalicelib.domain.support:Review",
       summary="Approve or edit a review")
def change_review(principal, customer_id: str, review_id: str, body: ReviewChanges):
    return support.change_review(customer_id, review_id, body)


@route(bp, "/customers/{customer_id}/reviews/{review_id}", "DELETE", access=ANY_STAFF, status=204,
       summary="Delete a review")
def delete_review(principal, customer_id: str, review_id: str):
    support.delete_review(customer_id, review_id)
