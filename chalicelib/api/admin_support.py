"""Admin: a customer's Tickets and Reviews tabs. Every staff role may read and write them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.support import MessageInput, ReviewChanges, ReviewDraft, TicketChanges, TicketDraft

bp = Blueprint(__name__)
SUPPORT = "chalicelib.domain.support"


@route(bp, "/customers/{customer_id}/tickets", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=page_of(f"{SUPPORT}:TicketSummary"),
       summary="A customer's support tickets, newest first")
def list_tickets(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import support

    return support.list_tickets(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/tickets", "POST", access=ANY_STAFF, body=f"{SUPPORT}:TicketDraft",
       response=f"{SUPPORT}:Ticket", status=201,
       summary="Open a ticket with its first message")
def open_ticket(principal: Principal, customer_id: str, body: TicketDraft):
    from chalicelib.services import support

    return support.open_ticket(customer_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}", "GET", access=ANY_STAFF, response=f"{SUPPORT}:Ticket",
       summary="A ticket with its messages, oldest first")
def get_ticket(principal: Principal, customer_id: str, ticket_id: str):
    from chalicelib.services import support

    return support.get_ticket(customer_id, ticket_id)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}", "PATCH", access=ANY_STAFF, body=f"{SUPPORT}:TicketChanges",
       response=f"{SUPPORT}:Ticket",
       summary="Change a ticket's subject or status (status open reopens a closed ticket)")
def change_ticket(principal: Principal, customer_id: str, ticket_id: str, body: TicketChanges):
    from chalicelib.services import support

    return support.change_ticket(customer_id, ticket_id, body)


@route(bp, "/customers/{customer_id}/tickets/{ticket_id}/messages", "POST", access=ANY_STAFF, body=f"{SUPPORT}:MessageInput",
       response=f"{SUPPORT}:TicketMessage", status=201, summary="Add a message to a ticket (409 if the ticket is closed)")
def add_message(principal: Principal, customer_id: str, ticket_id: str, body: MessageInput):
    from chalicelib.services import support

    return support.add_message(customer_id, ticket_id, body.text, principal.actor)


@route(bp, "/customers/{customer_id}/reviews", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{SUPPORT}:Review"),
       summary="A customer's product reviews, newest first")
def list_reviews(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import support

    return support.list_reviews(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/reviews", "POST", access=ANY_STAFF, body=f"{SUPPORT}:ReviewDraft",
       response=f"{SUPPORT}:Review", status=201,
       summary="Record a review (unapproved)")
def add_review(principal: Principal, customer_id: str, body: ReviewDraft):
    from chalicelib.services import support

    return support.add_review(customer_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/reviews/{review_id}", "PATCH", access=ANY_STAFF, body=f"{SUPPORT}:ReviewChanges",
       response=f"{SUPPORT}:Review",
       summary="Approve or edit a review")
def change_review(principal: Principal, customer_id: str, review_id: str, body: ReviewChanges):
    from chalicelib.services import support

    return support.change_review(customer_id, review_id, body)


@route(bp, "/customers/{customer_id}/reviews/{review_id}", "DELETE", access=ANY_STAFF, status=204,
       summary="Delete a review")
def delete_review(principal: Principal, customer_id: str, review_id: str):
    from chalicelib.services import support

    support.delete_review(customer_id, review_id)
