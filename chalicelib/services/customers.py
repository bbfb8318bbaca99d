"""Customer records for staff: create, read, change, delete, list and search, timeline, guests and
order history. Speaks in domain terms; storage is the repositories' job."""
from __future__ import annotations

from chalicelib.domain import customers as domain
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.search import normalize_query, rarest_gram
from chalicelib.lazy import lazy_import
from chalicelib.store import customers as repo
from chalicelib.store.pagination import Page

# Loaded when first used: reading a customer needs neither (nor the validation library they bring).
configuration = lazy_import("chalicelib.services.configuration")
addresses = lazy_import("chalicelib.store.addresses")
inputs = lazy_import("chalicelib.domain.customer_inputs")
orders = lazy_import("chalicelib.services.orders")
carts = lazy_import("chalicelib.services.carts")


def create_customer(draft: inputs.CustomerDraft, actor: str) -> Customer:
    """Staff add a customer by hand: no account (registered = false), no password."""
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


def update_customer(customer_id: str, changes: inputs.CustomerChanges, actor: str) -> Customer:
    return change_customer(get_customer(customer_id), changes, actor)


def change_customer(before: Customer, changes: inputs.CustomerChanges, actor: str) -> Customer:
    """Apply a validated change to the customer as read, with its timeline events."""
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
    """The profile and email guard go at once; the stream purges the rest (purge_deleted_customer).
    Orders and invoices are kept (anonymised by the orders side)."""
    repo.delete(get_customer(customer_id))


def purge_deleted_customer(customer: Customer) -> None:
    """After a customer's profile is deleted (the stream): their orders lose who bought them, their
    carts go, then the rest of their personal data. Each step is safe to run again."""
    orders.anonymise_orders_of(customer.id)
    carts.forget_customer(customer.id)
    repo.purge(customer, also=addresses.search_entries_of(customer.id))


def list_customers(query: inputs.CustomerQuery) -> Page[Customer]:
    """One page: read through the narrowest index the query allows, then keep the customers that
    pass every filter. A page may hold fewer than `limit` customers; follow next_token."""
    page = _candidates(query)
    return Page(items=[c for c in page.items if domain.matches(c, query)], next_token=page.next_token)


def _needle(text: str, field: str) -> tuple[str, str]:
    needle = normalize_query(text)
    if needle is None:
        raise InvalidInput("Search needs at least 3 characters.", [{"field": field, "message": "too short"}])
    return rarest_gram(needle), needle


def _candidates(query: inputs.CustomerQuery) -> Page[Customer]:
    if query.q:
        return repo.search_page(*_needle(query.q, "q"), query.limit, query.next_token)
    if query.address:
        ids = addresses.matching_customers(*_needle(query.address, "address"), query.limit, query.next_token)
        return Page(items=repo.get_many(ids.items), next_token=ids.next_token)
    if query.tag:
        return repo.tagged_page(query.tag, query.limit, query.next_token)
    return repo.list_page(query.limit, query.next_token, group=query.group, status=query.status,
                          has_orders=query.has_orders, last_order_from=domain.day_start(query.last_order_from),
                          last_order_to=domain.day_end(query.last_order_to))


def list_leads(limit: int, next_token: str | None) -> Page[Customer]:
    """Registered customers with no purchase yet (they have an email: registration requires one)."""
    return list_customers(inputs.CustomerQuery(registered=True, has_orders=False, limit=limit, next_token=next_token))


def customer_timeline(customer_id: str, limit: int, next_token: str | None) -> Page[domain.TimelineEvent]:
    get_customer(customer_id)  # a deleted customer's events go a moment later (stream purge): 404 at once
    return repo.timeline(customer_id, limit, next_token)

