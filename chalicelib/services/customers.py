"""Customer records for staff: create, read, change, delete, list and search, timeline. Speaks in
domain terms; storage is the repositories' job.

Reading a customer (the customer page: a cold start's usual first request) loads neither the
configuration nor the validation library: the functions that need them import them."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain import customers as domain
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.pages import Page
from chalicelib.domain.search import normalize_query, rarest_gram
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store import customers as repo

if TYPE_CHECKING:
    from chalicelib.domain.customer_inputs import CustomerChanges, CustomerDraft, CustomerQuery


def create_customer(draft: CustomerDraft, actor: str) -> Customer:
    """Staff add a customer by hand: no account (registered = false), no password."""
    from chalicelib.services import configuration

    group_id = configuration.checked_group(draft.group_id or configuration.store_settings().default_group_id)
    custom = configuration.checked_custom_values(draft.custom_fields)
    customer = domain.new_customer(draft.model_copy(update={"custom_fields": custom}), registered=False,
                                   status=draft.status, group_id=group_id)
    return repo.create(customer, [domain.customer_created_event(actor, registered=False)])


def get_customer(customer_id: str) -> Customer:
    customer = repo.get(customer_id)
    if customer is None:
        raise NotFound("No customer with this id.")
    return customer


def update_customer(customer_id: str, changes: CustomerChanges, actor: str) -> Customer:
    return change_customer(get_customer(customer_id), changes, actor)


def change_customer(before: Customer, changes: CustomerChanges, actor: str) -> Customer:
    """Apply a validated change to the customer as read, with its timeline events."""
    from chalicelib.services import configuration

    if changes.group_id is not None:
        configuration.checked_group(changes.group_id)
    if changes.custom_fields is not None:
        sent = configuration.checked_custom_values(changes.custom_fields, partial=True)
        merged = {k: v for k, v in {**before.custom_fields, **sent}.items() if v is not None}
        changes = changes.model_copy(update={"custom_fields": merged})
    after, diff = domain.apply_changes(before, changes.model_dump(exclude_unset=True))
    if not diff:
        return before
    return repo.update(before, after, domain.change_events(actor, diff))


def delete_customer(customer_id: str) -> None:
    """The profile and email guard go at once; the stream purges the rest (services.deleted_customers).
    Orders and invoices are kept (anonymised by the orders side)."""
    repo.delete(get_customer(customer_id))


def list_customers(query: CustomerQuery) -> Page[Customer]:
    """One page: read through the narrowest index the query allows, then keep the customers that
    pass every filter. A page may hold fewer than `limit` customers; follow next_token."""
    page = _candidates(query)
    return Page(items=[c for c in page.items if domain.matches(c, query)], next_token=page.next_token)


def _needle(text: str, field: str) -> tuple[str, str]:
    needle = normalize_query(text)
    if needle is None:
        raise InvalidInput("Search needs at least 3 characters.", [{"field": field, "message": "too short"}])
    return rarest_gram(needle), needle


def _candidates(query: CustomerQuery) -> Page[Customer]:
    if query.q:
        return repo.search_page(*_needle(query.q, "q"), query.limit, query.next_token)
    if query.address:
        from chalicelib.store import addresses

        ids = addresses.matching_customers(*_needle(query.address, "address"), query.limit, query.next_token)
        return Page(items=repo.get_many(ids.items), next_token=ids.next_token)
    if query.tag:
        return repo.tagged_page(query.tag, query.limit, query.next_token)
    return repo.list_page(query.limit, query.next_token, group=query.group, status=query.status,
                          has_orders=query.has_orders, last_order_from=domain.day_start(query.last_order_from),
                          last_order_to=domain.day_end(query.last_order_to))


def list_leads(limit: int, next_token: str | None) -> Page[Customer]:
    """Registered customers with no purchase yet (they have an email: registration requires one)."""
    from chalicelib.domain.customer_inputs import CustomerQuery

    return list_customers(CustomerQuery(registered=True, has_orders=False, limit=limit, next_token=next_token))


def customer_timeline(customer_id: str, limit: int, next_token: str | None) -> Page[TimelineEvent]:
    get_customer(customer_id)  # a deleted customer's events go a moment later (stream purge): 404 at once
    return repo.timeline(customer_id, limit, next_token)

