"""Addresses: `CUST#<id>/ADDR#<ulid>`; address search entries `ADDRSEARCH#<trigram>/CUST#<id>#<addr>`.

The default billing/shipping address is a pointer on the profile, so moving the flag is one write
to one item: there is never a second default."""
from chalicelib.domain.addresses import Address, AddressFields
from chalicelib.domain.pages import Page
from chalicelib.domain.search import address_searchable
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store.customers import customer_pk, event_item
from chalicelib.store.models import AddressItem, CustomerItem, SearchEntryItem, transact_write, unchecked_version
from chalicelib.store.pagination import decode_token, encode_token, one_request

_PROFILE = "PROFILE"


def _item(customer_id: str, address_id: str, fields: AddressFields) -> AddressItem:
    return AddressItem(PK=customer_pk(customer_id), SK=f"ADDR#{address_id}", id=address_id, customer_id=customer_id,
                       fields=fields.model_dump(mode="json"))


def search_entries(customer_id: str, address_id: str, fields: AddressFields) -> list[SearchEntryItem]:
    text, grams = address_searchable(fields.line1, fields.line2, fields.city, fields.region, fields.zip, fields.country)
    return [SearchEntryItem(PK=f"ADDRSEARCH#{g}", SK=f"{customer_pk(customer_id)}#{address_id}", customer_id=customer_id,
                            text=text) for g in grams]


def _defaults_actions(address_id: str, billing: bool | None, shipping: bool | None, current: tuple) -> list:
    """Profile pointer changes: set when asked, cleared when this address stops being the default."""
    actions = []
    for wanted, attribute, now in ((billing, CustomerItem.default_billing_address_id, current[0]),
                                   (shipping, CustomerItem.default_shipping_address_id, current[1])):
        if wanted:
            actions.append(attribute.set(address_id))
        elif wanted is False and now == address_id:
            actions.append(attribute.remove())
    return actions


def get(customer_id: str, address_id: str) -> AddressFields | None:
    try:
        return AddressFields(**AddressItem.get(customer_pk(customer_id), f"ADDR#{address_id}", consistent_read=True).fields)
    except AddressItem.DoesNotExist:
        return None


def save(customer_id: str, address_id: str, fields: AddressFields, before: AddressFields | None,
         billing: bool | None, shipping: bool | None, current_defaults: tuple, event: TimelineEvent) -> None:
    """Create or replace an address with its search entries, default pointers and event: one transaction."""
    old = {e.PK: e for e in search_entries(customer_id, address_id, before)} if before else {}
    new = search_entries(customer_id, address_id, fields)
    actions = _defaults_actions(address_id, billing, shipping, current_defaults)
    with transact_write() as tx:
        tx.save(_item(customer_id, address_id, fields))
        for entry in new:
            tx.save(entry)
        for key in set(old) - {e.PK for e in new}:
            tx.delete(old[key])
        if actions:
            tx.update(unchecked_version(CustomerItem(PK=customer_pk(customer_id), SK=_PROFILE)), actions=actions,
                      condition=CustomerItem.PK.exists(), add_version_condition=False)
        tx.save(event_item(customer_id, event))


def delete(customer_id: str, address_id: str, fields: AddressFields, current_defaults: tuple, event: TimelineEvent) -> None:
    actions = _defaults_actions(address_id, False, False, current_defaults)
    with transact_write() as tx:
        tx.delete(AddressItem(PK=customer_pk(customer_id), SK=f"ADDR#{address_id}"))
        for entry in search_entries(customer_id, address_id, fields):
            tx.delete(entry)
        if actions:
            tx.update(unchecked_version(CustomerItem(PK=customer_pk(customer_id), SK=_PROFILE)), actions=actions,
                      add_version_condition=False)
        tx.save(event_item(customer_id, event))


def _address(item: AddressItem, defaults: tuple[str | None, str | None]) -> Address:
    billing, shipping = defaults
    return Address(id=item.id, default_billing=item.id == billing, default_shipping=item.id == shipping, **item.fields)


def all_of(customer_id: str, defaults: tuple[str | None, str | None]) -> list[Address]:
    """Every address of a customer, flagged with the profile's default pointers: one Query."""
    return [_address(a, defaults)
            for a in AddressItem.query(customer_pk(customer_id), AddressItem.SK.startswith("ADDR#"), consistent_read=True)]


def page(customer_id: str, defaults: tuple[str | None, str | None], limit: int, next_token: str | None) -> Page[Address]:
    """A page of a customer's addresses, oldest first: one Query."""
    result = AddressItem.query(customer_pk(customer_id), AddressItem.SK.startswith("ADDR#"), consistent_read=True,
                               limit=limit, last_evaluated_key=decode_token(next_token, {"PK", "SK"}))
    items = [_address(a, defaults) for a in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def delete_search_entries_of(customer_id: str) -> None:
    """Every address search entry of a customer (purging a deleted customer; before the addresses they
    are computed from). Idempotent."""
    addresses = AddressItem.query(customer_pk(customer_id), AddressItem.SK.startswith("ADDR#"), consistent_read=True)
    with SearchEntryItem.batch_write() as batch:
        for address in addresses:
            for entry in search_entries(customer_id, address.id, AddressFields(**address.fields)):
                batch.delete(entry)


def matching_customers(gram: str, needle: str, limit: int, next_token: str | None) -> Page[str]:
    """Ids of customers with an address containing `needle`, from one trigram's partition."""
    start = decode_token(next_token, {"PK", "SK"})
    result = SearchEntryItem.query(f"ADDRSEARCH#{gram}", filter_condition=SearchEntryItem.text.contains(needle),
                                   page_size=limit, last_evaluated_key=start)
    entries, token = one_request(SearchEntryItem, result)
    return Page(items=list(dict.fromkeys(e.customer_id for e in entries)), next_token=token)
