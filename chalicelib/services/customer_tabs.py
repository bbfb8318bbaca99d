"""The tabs of a customer's page: addresses, notes, tags, emails."""
from chalicelib.domain import clock
from chalicelib.domain import customers as domain
from chalicelib.domain.addresses import Address, AddressChanges, AddressDraft, AddressFields
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.mail import MailLogEntry
from chalicelib.domain.notes import Note, check_can_edit, editable_until
from chalicelib.domain.pages import Page
from chalicelib.services.customers import get_customer
from chalicelib.store import addresses, mail_log, notes
from chalicelib.store import customers as repo


def _defaults(customer: domain.Customer) -> tuple[str | None, str | None]:
    return customer.default_billing_address_id, customer.default_shipping_address_id


def list_addresses(customer_id: str) -> list[Address]:
    return addresses.all_of(customer_id, _defaults(get_customer(customer_id)))


def address_page(customer_id: str, limit: int, next_token: str | None) -> Page[Address]:
    return addresses.page(customer_id, _defaults(get_customer(customer_id)), limit, next_token)


def _address(customer_id: str, address_id: str) -> tuple[domain.Customer, Address]:
    customer = get_customer(customer_id)
    fields = addresses.get(customer_id, address_id)
    if fields is None:
        raise NotFound("No address with this id for this customer.")
    billing, shipping = _defaults(customer)
    return customer, Address(id=address_id, default_billing=billing == address_id, default_shipping=shipping == address_id,
                             **fields.model_dump())


def _flag(wanted: bool | None, was: bool) -> bool:
    return was if wanted is None else wanted


def add_address(customer_id: str, draft: AddressDraft, actor: str) -> Address:
    customer = get_customer(customer_id)
    address_id = new_id()
    addresses.save(customer_id, address_id, draft.fields(), None, draft.default_billing, draft.default_shipping,
                   _defaults(customer), domain.address_event(actor, "added", address_id))
    return Address(id=address_id, **draft.model_dump())


def change_address(customer_id: str, address_id: str, changes: AddressChanges, actor: str) -> Address:
    """Changing a default moves the flag: the customer's pointer names one address at a time."""
    customer, before = _address(customer_id, address_id)
    sent = changes.model_dump(exclude_unset=True)
    billing = _flag(sent.pop("default_billing", None), before.default_billing)
    shipping = _flag(sent.pop("default_shipping", None), before.default_shipping)
    fields = AddressFields.model_validate({**before.fields().model_dump(), **sent})
    addresses.save(customer_id, address_id, fields, before.fields(), changes.default_billing, changes.default_shipping,
                   _defaults(customer), domain.address_event(actor, "changed", address_id))
    return Address(id=address_id, default_billing=billing, default_shipping=shipping, **fields.model_dump())


def remove_address(customer_id: str, address_id: str, actor: str) -> None:
    customer, address = _address(customer_id, address_id)
    addresses.delete(customer_id, address_id, address.fields(), _defaults(customer),
                     domain.address_event(actor, "removed", address_id))


def list_notes(customer_id: str, limit: int, next_token: str | None) -> Page[Note]:
    get_customer(customer_id)
    return notes.page(customer_id, limit, next_token)


def add_note(customer_id: str, text: str, author: str) -> Note:
    get_customer(customer_id)
    now = clock.now()
    note = Note(id=new_id(), text=text, author=author, created_at=clock.iso(now), editable_until=editable_until(now))
    notes.add(customer_id, note, domain.note_added_event(author, note.id))
    return note


def _editable_note(customer_id: str, note_id: str, author: str) -> str:
    note = notes.get(customer_id, note_id)
    if note is None:
        raise NotFound("No note with this id for this customer.")
    now = clock.now()
    check_can_edit(note, author, now)
    return clock.iso(now)


def change_note(customer_id: str, note_id: str, text: str, author: str) -> Note:
    now = _editable_note(customer_id, note_id, author)
    return notes.change_text(customer_id, note_id, text, author, now)


def delete_note(customer_id: str, note_id: str, author: str) -> None:
    now = _editable_note(customer_id, note_id, author)
    notes.delete(customer_id, note_id, author, now)


def add_tag(customer_id: str, tag: str, actor: str) -> domain.Customer:
    before = get_customer(customer_id)
    if tag in before.tags:
        return before
    after = domain.replace(before, tags=[*before.tags, tag], updated_at=clock.utc_now())
    return repo.update(before, after, [domain.tag_event(actor, tag, added=True)])


def remove_tag(customer_id: str, tag: str, actor: str) -> domain.Customer:
    before = get_customer(customer_id)
    if tag not in before.tags:
        raise NotFound("The customer has no such tag.")
    after = domain.replace(before, tags=[t for t in before.tags if t != tag], updated_at=clock.utc_now())
    return repo.update(before, after, [domain.tag_event(actor, tag, added=False)])


def list_emails(customer_id: str, limit: int, next_token: str | None) -> Page[MailLogEntry]:
    get_customer(customer_id)
    return mail_log.page(customer_id, limit, next_token)
