"""Admin: the tabs of a customer's page (addresses, notes, tags, timeline, emails) and email verification."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal
from chalicelib.settings import get_settings

if TYPE_CHECKING:
    from chalicelib.domain.addresses import AddressChanges, AddressDraft
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.customer_inputs import TagInput
    from chalicelib.domain.notes import NoteInput

bp = Blueprint(__name__)
TIMELINE = "chalicelib.domain.timeline"
CUSTOMERS = "chalicelib.domain.customers"
ADDRESSES = "chalicelib.domain.addresses"
CUSTOMER_INPUTS = "chalicelib.domain.customer_inputs"
MAIL = "chalicelib.domain.mail"
NOTES = "chalicelib.domain.notes"
EDITORS = staff("admin", "agent")


@route(bp, "/customers/{customer_id}/timeline", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=page_of(f"{TIMELINE}:TimelineEvent"), summary="What happened to a customer, newest first")
def customer_timeline(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import customers

    return customers.customer_timeline(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/addresses", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=page_of(f"{ADDRESSES}:Address"), summary="A customer's addresses, oldest first")
def list_addresses(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import customer_tabs

    return customer_tabs.address_page(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/addresses", "POST", access=EDITORS, body=f"{ADDRESSES}:AddressDraft",
       response=f"{ADDRESSES}:Address",
       status=201, summary="Add an address")
def add_address(principal: Principal, customer_id: str, body: AddressDraft):
    from chalicelib.services import customer_tabs

    return customer_tabs.add_address(customer_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/addresses/{address_id}", "PATCH", access=EDITORS, body=f"{ADDRESSES}:AddressChanges",
       response=f"{ADDRESSES}:Address", summary="Change an address (a default flag moves atomically)")
def change_address(principal: Principal, customer_id: str, address_id: str, body: AddressChanges):
    from chalicelib.services import customer_tabs

    return customer_tabs.change_address(customer_id, address_id, body, principal.actor)


@route(bp, "/customers/{customer_id}/addresses/{address_id}", "DELETE", access=EDITORS, status=204,
       summary="Remove an address")
def remove_address(principal: Principal, customer_id: str, address_id: str):
    from chalicelib.services import customer_tabs

    customer_tabs.remove_address(customer_id, address_id, principal.actor)


@route(bp, "/customers/{customer_id}/notes", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{NOTES}:Note"),
       summary="Staff notes, newest first")
def list_notes(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import customer_tabs

    return customer_tabs.list_notes(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/notes", "POST", access=ANY_STAFF, body=f"{NOTES}:NoteInput", response=f"{NOTES}:Note",
       status=201,
       summary="Write a note (editable by its author for 5 minutes)")
def add_note(principal: Principal, customer_id: str, body: NoteInput):
    from chalicelib.services import customer_tabs

    return customer_tabs.add_note(customer_id, body.text, principal.actor)


@route(bp, "/customers/{customer_id}/notes/{note_id}", "PATCH", access=ANY_STAFF, body=f"{NOTES}:NoteInput",
       response=f"{NOTES}:Note",
       summary="Change my note (within 5 minutes)")
def change_note(principal: Principal, customer_id: str, note_id: str, body: NoteInput):
    from chalicelib.services import customer_tabs

    return customer_tabs.change_note(customer_id, note_id, body.text, principal.actor)


@route(bp, "/customers/{customer_id}/notes/{note_id}", "DELETE", access=ANY_STAFF, status=204,
       summary="Delete my note (within 5 minutes)")
def delete_note(principal: Principal, customer_id: str, note_id: str):
    from chalicelib.services import customer_tabs

    customer_tabs.delete_note(customer_id, note_id, principal.actor)


@route(bp, "/customers/{customer_id}/tags", "POST", access=EDITORS, body=f"{CUSTOMER_INPUTS}:TagInput",
       response=f"{CUSTOMERS}:Customer",
       summary="Tag a customer")
def add_tag(principal: Principal, customer_id: str, body: TagInput):
    from chalicelib.services import customer_tabs

    return customer_tabs.add_tag(customer_id, body.tag, principal.actor)


@route(bp, "/customers/{customer_id}/tags/{tag}", "DELETE", access=EDITORS, response=f"{CUSTOMERS}:Customer",
       summary="Remove a tag")
def remove_tag(principal: Principal, customer_id: str, tag: str):
    from urllib.parse import unquote

    from chalicelib.services import customer_tabs

    return customer_tabs.remove_tag(customer_id, unquote(tag).lower(), principal.actor)


@route(bp, "/customers/{customer_id}/emails", "GET", access=ANY_STAFF, query=LIST_QUERY, response=page_of(f"{MAIL}:MailLogEntry"),
       summary="Emails sent to the customer, newest first")
def list_emails(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import customer_tabs

    return customer_tabs.list_emails(customer_id, query.limit, query.next_token)


@route(bp, "/customers/{customer_id}/verify-email", "POST", access=EDITORS, response=f"{CUSTOMERS}:Customer",
       summary="Confirm the customer's email by hand")
def confirm_email(principal: Principal, customer_id: str):
    from chalicelib.services import accounts

    return accounts.confirm_email_by_staff(customer_id, principal.actor)


@route(bp, "/customers/{customer_id}/resend-verification", "POST", access=ANY_STAFF, status=202, statuses=(429,),
       summary="Send the verification email again (once per 15 minutes)")
def resend_verification(principal: Principal, customer_id: str):
    from chalicelib.services import accounts

    accounts.resend_verification(customer_id, get_settings())
    return {"queued": True}
