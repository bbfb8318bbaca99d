"""Customer repository: the only code that knows the customer's keys, indexes and conditions.

Items (see docs/architecture.md for the whole table):
- profile `CUST#<id>/PROFILE`; GSI1 `CUSTLIST` (all customers), GSI2 `GROUP#<group>`, GSI3
  `CSTATUS#<status>` (sparse: not for active), each sorted by last order (newest first), then last name;
- order summaries `CUST#<id>/PROFILE#ORDER#<newest-first created_at>#<newest-first id>` right after
  the profile, so profile + last 3 orders are one Query;
- email guard `EMAIL#<email>/EMAIL` (registered and staff-made customers; not guest entries);
- timeline `CUST#<id>/EVT#<ulid>`; tags `CUST#<id>/TAG#<tag>` (GSI1 `TAG#<tag>`);
- search entries `SEARCH#<trigram>/CUST#<id>` carrying the searchable text.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.domain.customers import (
    PROFILE_FIELDS,
    Customer,
    CustomerStats,
    CustomerStatus,
    OrderSummary,
    VerificationToken,
    replace,
)
from chalicelib.domain.errors import Conflict
from chalicelib.domain.pages import Page
from chalicelib.domain.search import customer_searchable
from chalicelib.domain.text import fold, normalize_email
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store.models import (
    ALL_OLD,
    CustomerItem,
    EmailGuardItem,
    OrderSummaryItem,
    SearchEntryItem,
    TableItem,
    TagItem,
    TimelineEventItem,
    VerificationItem,
    failed_conditions,
    transact_write,
    unchecked_version,
)
from chalicelib.store.pagination import decode_token, encode_token, newest_first, one_request

if TYPE_CHECKING:  # emails load the validation library: only the writes that queue one import them
    from chalicelib.domain.mail import QueuedMail

_PROFILE = "PROFILE"
_ORDER_PREFIX = "PROFILE#ORDER#"
_LIST_PK = "CUSTLIST"
_LAST_ORDERS = 3
_MAX_EPOCH_MS = 10**13
# A card line's key sorts newest first after the profile: its order's creation time (ISO text, which
# sorts in time order) with the digits reversed, then its id with the ULID alphabet reversed. Not the id
# alone: an imported order's id is made of its platform reference, not of its time.
_ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NEWEST_FIRST = str.maketrans(_ULID, _ULID[::-1])
_INDEX_KEYS = {"GSI1": {"PK", "SK", "GSI1PK", "GSI1SK"}, "GSI2": {"PK", "SK", "GSI2PK", "GSI2SK"},
               "GSI3": {"PK", "SK", "GSI3PK", "GSI3SK"}}


def customer_pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def _guard_pk(email: str) -> str:
    return f"EMAIL#{normalize_email(email)}"


def _iso_to_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _inverted_ms(iso: str) -> str:
    """13 digits whatever the time: one before 1970 or after 2286 sorts as the first or last millisecond."""
    return f"{_MAX_EPOCH_MS - min(max(_iso_to_ms(iso), 1), _MAX_EPOCH_MS - 1):013d}"


def _list_key(customer: Customer) -> str:
    """Last order date descending, then last name; customers with no order after all others."""
    name = fold(customer.last_name)
    if customer.stats.last_order_at is None:
        return f"1#{name}#{customer.id}"
    return f"0#{_inverted_ms(customer.stats.last_order_at)}#{name}#{customer.id}"


def _index_attributes(customer: Customer) -> dict[str, Any]:
    key = _list_key(customer)
    listed_by_status = customer.status != CustomerStatus.ACTIVE
    return {
        "GSI1PK": _LIST_PK, "GSI1SK": key,
        "GSI2PK": f"GROUP#{customer.group_id}", "GSI2SK": key,
        "GSI3PK": f"CSTATUS#{customer.status}" if listed_by_status else None,
        "GSI3SK": key if listed_by_status else None,
    }


def _search_entries(customer: Customer) -> list[SearchEntryItem]:
    text, grams = customer_searchable(customer.first_name, customer.last_name, customer.email, customer.phone)
    return [SearchEntryItem(PK=f"SEARCH#{g}", SK=customer_pk(customer.id), customer_id=customer.id, text=text) for g in grams]


def _tag_item(customer_id: str, tag: str) -> TagItem:
    return TagItem(PK=customer_pk(customer_id), SK=f"TAG#{tag}", GSI1PK=f"TAG#{tag}", GSI1SK=customer_pk(customer_id),
                   customer_id=customer_id, tag=tag)


def event_item(customer_id: str, event: TimelineEvent) -> TimelineEventItem:
    return TimelineEventItem(PK=customer_pk(customer_id), SK=f"EVT#{event.id}", id=event.id, event_type=event.type,
                             at=event.at, actor=event.actor, data=event.data)


def _to_domain(item: CustomerItem, last_orders: list[OrderSummary] | None = None) -> Customer:
    fields = {name: getattr(item, name) for name in (*PROFILE_FIELDS, "version")}
    count, spent = int(item.order_count or 0), int(item.total_spent or 0)
    stats = CustomerStats(order_count=count, total_spent=spent, average_order_value=spent // count if count else 0,
                          last_order_at=item.last_order_at, last_orders=last_orders or [])
    fields["comment"] = fields["comment"] or ""
    return Customer(stats=stats, **fields)


def _email_taken() -> Conflict:
    return Conflict("A customer with this email already exists.", [{"field": "email"}])


def _changed_meanwhile() -> Conflict:
    return Conflict("The customer was changed by someone else meanwhile; read it again and retry.")


def create(customer: Customer, events: list[TimelineEvent], password_hash: str | None = None,
           mails: Iterable[QueuedMail] = (), verification: VerificationToken | None = None) -> Customer:
    """Profile, email guard (not for guest entries), search entries, tags, events, queued emails and
    an email verification token in ONE transaction: two creates with one email cannot both win."""
    from chalicelib.store import mail_log

    extra = [*(mail_log.queued_item(mail) for mail in mails), *([_verification_item(verification)] if verification else [])]
    try:
        with transact_write() as tx:
            version = stage_create(tx, customer, events, password_hash, extra)
    except TransactWriteError as error:
        if "email_guard" in failed_conditions(error):
            raise _email_taken() from error
        raise
    return replace(customer, version=version)


def stage_create(tx: TransactWrite, customer: Customer, events: list[TimelineEvent], password_hash: str | None = None,
                 extra_items: Iterable[TableItem] = (), index_later: bool = False) -> int:
    """The writes of `create`, added to a transaction another repository runs (with items it built);
    returns the version. `index_later`: the search entries and tag items are left to the stream (the
    profile is marked `index_pending`), for a transaction without room for them."""
    item = CustomerItem(PK=customer_pk(customer.id), SK=_PROFILE, password_hash=password_hash,
                        order_count=customer.stats.order_count, total_spent=customer.stats.total_spent,
                        last_order_at=customer.stats.last_order_at, index_pending=True if index_later else None,
                        **_index_attributes(customer), **{name: getattr(customer, name) for name in PROFILE_FIELDS})
    if customer.guest_order_id is None:
        tx.save(EmailGuardItem(PK=_guard_pk(customer.email), SK="EMAIL", customer_id=customer.id),
                condition=EmailGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
    tx.save(item, condition=CustomerItem.PK.does_not_exist())
    derived = [] if index_later else [*_search_entries(customer), *(_tag_item(customer.id, t) for t in customer.tags)]
    for extra in [*derived, *(event_item(customer.id, e) for e in events), *extra_items]:
        tx.save(extra)
    return item.version


def get(customer_id: str) -> Customer | None:
    """Profile, stats and the last 3 orders: ONE Query on the customer's partition."""
    items = list(TableItem.query(customer_pk(customer_id), TableItem.SK.startswith(_PROFILE), limit=1 + _LAST_ORDERS,
                                 consistent_read=True))
    if not items or not isinstance(items[0], CustomerItem):
        return None
    orders = [OrderSummary(id=o.id, number=_whole(o.number), total=int(o.total), status=o.status, created_at=o.created_at)
              for o in items[1:] if isinstance(o, OrderSummaryItem)]
    return _to_domain(items[0], orders)


def _whole(number: float | None) -> int | None:
    """A NumberAttribute as read (json.loads: an int, or a float for a decimal) as an int."""
    return None if number is None else int(number)


def get_many(customer_ids: list[str]) -> list[Customer]:
    """Profiles (without last orders) in the order asked; missing ones are left out. One BatchGet."""
    if not customer_ids:
        return []
    keys = [(customer_pk(c), _PROFILE) for c in dict.fromkeys(customer_ids)]
    found = {i.id: _to_domain(i) for i in CustomerItem.batch_get(keys)}
    return [found[c] for c in dict.fromkeys(customer_ids) if c in found]


def find_login(email: str) -> tuple[Customer, str | None] | None:
    """The customer owning an email, with their password hash (for login only)."""
    try:
        guard = EmailGuardItem.get(_guard_pk(email), "EMAIL", consistent_read=True)
        item = CustomerItem.get(customer_pk(guard.customer_id), _PROFILE, consistent_read=True)
    except (EmailGuardItem.DoesNotExist, CustomerItem.DoesNotExist):
        return None
    return _to_domain(item), item.password_hash


def _versioned_key(customer: Customer) -> CustomerItem:
    key = CustomerItem(PK=customer_pk(customer.id), SK=_PROFILE)
    key.version = customer.version  # PynamoDB adds the version condition and increments it
    return key


def update(before: Customer, after: Customer, events: list[TimelineEvent]) -> Customer:
    """Save changed profile fields under the version read, with everything that follows from them
    in ONE transaction: index keys, search entries, tag items, email guard move, events."""
    changed = {k: getattr(after, k) for k in PROFILE_FIELDS
               if k not in ("id", "created_at") and getattr(after, k) != getattr(before, k)}
    changed.update({k: v for k, v in _index_attributes(after).items() if v != _index_attributes(before)[k]})
    actions = [getattr(CustomerItem, k).set(v) if v is not None else getattr(CustomerItem, k).remove()
               for k, v in changed.items()]
    key = _versioned_key(before)
    email_moved = normalize_email(before.email) != normalize_email(after.email) and after.guest_order_id is None
    old_entries, new_entries = _search_entries(before), _search_entries(after)
    new_keys = {e.PK for e in new_entries}
    text_changed = not new_entries or not old_entries or new_entries[0].text != old_entries[0].text
    try:
        with transact_write() as tx:
            if email_moved:
                tx.save(EmailGuardItem(PK=_guard_pk(after.email), SK="EMAIL", customer_id=after.id),
                        condition=EmailGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
                tx.delete(EmailGuardItem(PK=_guard_pk(before.email), SK="EMAIL"),
                          condition=EmailGuardItem.customer_id == before.id)
            tx.update(key, actions=actions, return_values=ALL_OLD)
            for entry in old_entries if text_changed else []:
                if entry.PK not in new_keys:
                    tx.delete(entry)
            for item in [*(new_entries if text_changed else []),
                         *(_tag_item(after.id, t) for t in set(after.tags) - set(before.tags)),
                         *(event_item(after.id, e) for e in events)]:
                tx.save(item)
            for tag in set(before.tags) - set(after.tags):
                tx.delete(_tag_item(after.id, tag))
    except TransactWriteError as error:
        if "email_guard" in failed_conditions(error):
            raise _email_taken() from error
        raise _changed_meanwhile() from error
    return replace(after, version=key.version)


def mark_verification_sent(customer_id: str, now: str, not_since: str, verification: VerificationToken,
                           mail: QueuedMail) -> bool:
    """Record a verification email (with its token and the queued mail) unless one was sent at or after
    `not_since`. False when rate-limited."""
    from chalicelib.store import mail_log

    key = unchecked_version(CustomerItem(PK=customer_pk(customer_id), SK=_PROFILE))
    condition = CustomerItem.PK.exists() & (CustomerItem.verification_sent_at.does_not_exist()
                                            | (CustomerItem.verification_sent_at < not_since))
    try:
        with transact_write() as tx:
            tx.update(key, actions=[CustomerItem.verification_sent_at.set(now)], condition=condition,
                      add_version_condition=False)
            tx.save(_verification_item(verification))
            tx.save(mail_log.queued_item(mail))
    except TransactWriteError:
        return False
    return True


def _verification_item(token: VerificationToken) -> VerificationItem:
    return VerificationItem(PK=f"VERIFY#{token.token_hash}", SK="VERIFY", customer_id=token.customer_id,
                            expires_at=token.expires_at)


def find_verification(token_hash: str, now: int) -> str | None:
    """The customer id a live verification token is for (TTL deletion lags: expiry is checked here)."""
    try:
        item = VerificationItem.get(f"VERIFY#{token_hash}", "VERIFY", consistent_read=True)
    except VerificationItem.DoesNotExist:
        return None
    return item.customer_id if item.expires_at > now else None


def mark_email_verified(customer: Customer, events: list[TimelineEvent], token_hash: str | None = None,
                        now: int = 0) -> bool:
    """Set email_verified with its events; with a token, consume it in the same transaction (single
    use: a second use finds it gone). False if the token was already used or expired."""
    try:
        with transact_write() as tx:
            tx.update(_versioned_key(customer), actions=[CustomerItem.email_verified.set(True)])
            for event in events:
                tx.save(event_item(customer.id, event))
            if token_hash:
                tx.delete(VerificationItem(PK=f"VERIFY#{token_hash}", SK="VERIFY"),
                          condition=VerificationItem.PK.exists() & (VerificationItem.expires_at > now))
    except TransactWriteError as error:
        if token_hash:
            return False
        raise _changed_meanwhile() from error
    return True


def _card_key(customer_id: str, order: OrderSummary) -> tuple[str, str]:
    newest_first = f"{order.created_at.translate(_NEWEST_FIRST)}#{order.id.translate(_NEWEST_FIRST)}"
    return customer_pk(customer_id), _ORDER_PREFIX + newest_first


def order_summary_item(customer_id: str, order: OrderSummary, counted: bool = True, counted_total: int = 0) -> OrderSummaryItem:
    pk, sk = _card_key(customer_id, order)
    return OrderSummaryItem(PK=pk, SK=sk, counted=counted, counted_total=counted_total, **dataclasses.asdict(order))


def stage_order_added(tx, customer: Customer, order: OrderSummary, counted: bool, spent: int, is_test: bool,
                      events: Iterable[TimelineEvent] = ()) -> None:
    """A new order on the history card, its count and money in the stats, and the list position
    that follows from its date; conditioned on the card line not being there yet."""
    last_order_at = max(filter(None, [customer.stats.last_order_at, order.created_at]))
    after = replace(customer, stats=dataclasses.replace(customer.stats, last_order_at=last_order_at))
    actions = [CustomerItem.order_count.add(int(counted)), CustomerItem.total_spent.add(spent),
               CustomerItem.last_order_at.set(last_order_at)]
    actions += [getattr(CustomerItem, k).set(v) for k, v in _index_attributes(after).items() if v is not None]
    if is_test:
        actions.append(CustomerItem.has_test_orders.set(True))
    tx.save(order_summary_item(customer.id, order, counted=counted, counted_total=spent),
            condition=OrderSummaryItem.PK.does_not_exist(), return_values=ALL_OLD)
    tx.update(_versioned_key(customer), actions=actions)
    for event in events:
        tx.save(event_item(customer.id, event))


def stage_order_changed(tx, customer_id: str, order: OrderSummary, counted: bool, counted_total: int,
                        was_counted: bool, was_total: int) -> None:
    """An order already on the card changed: its line, and the stats by the difference. Conditioned
    on the card still showing what the order counted before (the caller read it so)."""
    summary = order_summary_item(customer_id, order)
    tx.update(summary, actions=[OrderSummaryItem.status.set(order.status), OrderSummaryItem.total.set(order.total),
                                OrderSummaryItem.counted.set(counted), OrderSummaryItem.counted_total.set(counted_total)],
              condition=(OrderSummaryItem.counted == was_counted) & (OrderSummaryItem.counted_total == was_total))
    count_delta, spent_delta = int(counted) - int(was_counted), counted_total - was_total
    if count_delta or spent_delta:
        tx.update(unchecked_version(CustomerItem(PK=customer_pk(customer_id), SK=_PROFILE)),
                  actions=[CustomerItem.order_count.add(count_delta), CustomerItem.total_spent.add(spent_delta)],
                  condition=CustomerItem.PK.exists(), add_version_condition=False)


def stage_order_removed(tx, customer_id: str, order: OrderSummary, was_counted: bool, was_total: int) -> None:
    """A deleted order leaves the card and the stats."""
    pk, sk = _card_key(customer_id, order)
    tx.delete(OrderSummaryItem(PK=pk, SK=sk))
    if was_counted or was_total:
        tx.update(unchecked_version(CustomerItem(PK=customer_pk(customer_id), SK=_PROFILE)),
                  actions=[CustomerItem.order_count.add(-int(was_counted)), CustomerItem.total_spent.add(-was_total)],
                  condition=CustomerItem.PK.exists(), add_version_condition=False)


def stage_guest_entry_removed(tx, entry_id: str) -> None:
    """A guest's entry goes with its one order (the stream then purges the rest, as for any customer)."""
    tx.delete(CustomerItem(PK=customer_pk(entry_id), SK=_PROFILE), add_version_condition=False)


def order_ids(customer_id: str, limit: int, next_token: str | None) -> Page[str]:
    """The customer's order ids, newest first (from the history card lines)."""
    start = decode_token(next_token, {"PK", "SK"})
    result = OrderSummaryItem.query(customer_pk(customer_id), OrderSummaryItem.SK.startswith(_ORDER_PREFIX),
                                    limit=limit, last_evaluated_key=start, consistent_read=True)
    ids, token = _page(result, lambda s: s.id)
    return Page(items=ids, next_token=token)


def delete(customer: Customer) -> None:
    """The profile and the email guard go in one transaction; the stream then purges the rest of
    the customer's personal data (see purge)."""
    try:
        with transact_write() as tx:
            tx.delete(_versioned_key(customer))
            if customer.guest_order_id is None:
                tx.delete(EmailGuardItem(PK=_guard_pk(customer.email), SK="EMAIL"),
                          condition=EmailGuardItem.customer_id == customer.id)
    except TransactWriteError as error:
        raise _changed_meanwhile() from error


def from_image(raw_image: dict | None) -> Customer | None:
    """The customer in a stream image (DynamoDB JSON) if it is a profile item, else None."""
    item = TableItem.from_raw_data(raw_image) if raw_image else None
    return _to_domain(item) if isinstance(item, CustomerItem) else None


def purge(customer: Customer) -> None:
    """Delete what remains of a deleted customer: partition items, search entries, tag index items.
    Idempotent: safe to run again after a crash."""
    rest = list(TableItem.query(customer_pk(customer.id), attributes_to_get=["PK", "SK"]))
    with TableItem.batch_write() as batch:
        for item in [*rest, *_search_entries(customer)]:
            batch.delete(item)


def _page(result, to_item=lambda i: i) -> tuple[list, str | None]:
    items = [to_item(i) for i in result]
    return items, encode_token(result.last_evaluated_key)


def list_page(limit: int, next_token: str | None, *, group: str | None = None, status: str | None = None,
              has_orders: bool | None = None, last_order_from: str | None = None,
              last_order_to: str | None = None) -> Page[Customer]:
    """Customers in list order (last order newest first, then last name): one Query per page on
    GSI1, or GSI2 for a group, or GSI3 for a non-active status. Has-orders and last-order dates are
    key conditions on the sort key."""
    index: GlobalSecondaryIndex
    if group is not None:
        index, partition = CustomerItem.gsi2, f"GROUP#{group}"
    elif status is not None and status != CustomerStatus.ACTIVE:
        index, partition = CustomerItem.gsi3, f"CSTATUS#{status}"
    else:
        index, partition = CustomerItem.gsi1, _LIST_PK
    sort_key = getattr(CustomerItem, index.Meta.index_name + "SK")
    if last_order_from or last_order_to:
        upper = f"0#{_inverted_ms(last_order_from)}~" if last_order_from else "0#~"
        lower = f"0#{_inverted_ms(last_order_to)}" if last_order_to else "0#"
        condition = sort_key.between(lower, upper)
    elif has_orders is not None:
        condition = sort_key.startswith("0#" if has_orders else "1#")
    else:
        condition = None
    start = decode_token(next_token, _INDEX_KEYS[index.Meta.index_name])
    result = index.query(partition, condition, limit=limit, last_evaluated_key=start)
    items, token = _page(result, _to_domain)
    return Page(items=items, next_token=token)


def search_page(gram: str, needle: str, limit: int, next_token: str | None) -> Page[Customer]:
    """Customers whose searchable text contains `needle`, read from one trigram's partition."""
    start = decode_token(next_token, {"PK", "SK"})
    result = SearchEntryItem.query(f"SEARCH#{gram}", filter_condition=SearchEntryItem.text.contains(needle),
                                   page_size=limit, last_evaluated_key=start)
    entries, token = one_request(SearchEntryItem, result)
    return Page(items=get_many([e.customer_id for e in entries]), next_token=token)


def tagged_page(tag: str, limit: int, next_token: str | None) -> Page[Customer]:
    start = decode_token(next_token, _INDEX_KEYS["GSI1"])
    result = TagItem.gsi1.query(f"TAG#{tag}", limit=limit, last_evaluated_key=start)
    ids, token = _page(result, lambda t: t.customer_id)
    return Page(items=get_many(ids), next_token=token)


def timeline(customer_id: str, limit: int, next_token: str | None) -> Page[TimelineEvent]:
    return newest_first(TimelineEventItem, customer_pk(customer_id), "EVT#", limit, next_token,
                        lambda e: TimelineEvent(id=e.id, type=e.event_type, at=e.at, actor=e.actor, data=e.data))
