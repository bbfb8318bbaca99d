"""Customer repository: the only code that knows the customer's keys, indexes and conditions.

Items: profile `CUST#<id>/PROFILE` (GSI1 `CUSTLIST` sorted by last order then last name),
order summaries `CUST#<id>/PROFILE#ORDER#<newest-first id>` right after it (profile + last 3 orders
are one Query), email guard `EMAIL#<email>/EMAIL`, timeline `CUST#<id>/EVT#<ulid>`.
"""
from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.customers import Customer, CustomerStats, OrderSummary, TimelineEvent
from chalicelib.domain.errors import Conflict
from chalicelib.domain.text import fold, normalize_email
from chalicelib.store.models import CustomerItem, EmailGuardItem, OrderSummaryItem, TableItem, TimelineEventItem, ALL_OLD, failed_conditions, transact_write
from chalicelib.store.pagination import Page, decode_token, encode_token

_PROFILE = "PROFILE"
_ORDER_PREFIX = "PROFILE#ORDER#"
_LIST_PK = "CUSTLIST"
_LAST_ORDERS = 3
_MAX_EPOCH_MS = 10**13
# The ULID alphabet reversed: order ids written with it sort newest first after the profile.
_ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NEWEST_FIRST = str.maketrans(_ULID, _ULID[::-1])


def _pk(customer_id: str) -> str:
    return f"CUST#{customer_id}"


def _guard_pk(email: str) -> str:
    return f"EMAIL#{normalize_email(email)}"


def _list_sort_key(customer: Customer, last_order_at_ms: int | None) -> str:
    """Last order date descending, then last name; customers with no order after all others."""
    name = fold(customer.last_name)
    if last_order_at_ms is None:
        return f"1#{name}#{customer.id}"
    return f"0#{_MAX_EPOCH_MS - last_order_at_ms:013d}#{name}#{customer.id}"


def _iso_to_ms(iso: str | None) -> int | None:
    if not iso:
        return None
    from datetime import datetime

    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _new_item(customer: Customer, password_hash: str | None) -> CustomerItem:
    stats = customer.stats
    item = CustomerItem(
        PK=_pk(customer.id),
        SK=_PROFILE,
        GSI1PK=_LIST_PK,
        GSI1SK=_list_sort_key(customer, _iso_to_ms(stats.last_order_at)),
        order_count=stats.order_count,
        total_spent=stats.total_spent,
        last_order_at=stats.last_order_at,
        password_hash=password_hash,
        **customer.model_dump(exclude={"stats", "version"}),
    )
    return item


def _to_domain(item: CustomerItem, last_orders: list[OrderSummary] | None = None) -> Customer:
    fields = {name: getattr(item, name) for name in Customer.model_fields if name not in ("stats",)}
    count, spent = int(item.order_count or 0), int(item.total_spent or 0)
    stats = CustomerStats(
        order_count=count,
        total_spent=spent,
        average_order_value=spent // count if count else 0,
        last_order_at=item.last_order_at,
        last_orders=last_orders or [],
    )
    fields["comment"] = fields["comment"] or ""
    return Customer(stats=stats, **fields)


def _event_item(customer_id: str, event: TimelineEvent) -> TimelineEventItem:
    return TimelineEventItem(
        PK=_pk(customer_id), SK=f"EVT#{event.id}", id=event.id, event_type=event.type,
        at=event.at, actor=event.actor, data=event.data,
    )


def _email_taken() -> Conflict:
    return Conflict("A customer with this email already exists.", [{"field": "email"}])


def _changed_meanwhile() -> Conflict:
    return Conflict("The customer was changed by someone else meanwhile; read it again and retry.")


def create(customer: Customer, event: TimelineEvent, password_hash: str | None = None) -> Customer:
    """Profile, email guard and 'created' event in one transaction: two creates cannot both win."""
    item = _new_item(customer, password_hash)
    guard = EmailGuardItem(PK=_guard_pk(customer.email), SK="EMAIL", customer_id=customer.id)
    try:
        with transact_write() as tx:
            tx.save(guard, condition=EmailGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
            tx.save(item, condition=CustomerItem.PK.does_not_exist())
            tx.save(_event_item(customer.id, event))
    except TransactWriteError as error:
        if "email_guard" in failed_conditions(error):
            raise _email_taken()
        raise
    return customer.model_copy(update={"version": item.version})


def get(customer_id: str) -> Customer | None:
    """Profile, stats and the last 3 orders: ONE Query on the customer's partition."""
    items = list(
        TableItem.query(
            _pk(customer_id), TableItem.SK.startswith(_PROFILE), limit=1 + _LAST_ORDERS, consistent_read=True
        )
    )
    if not items or not isinstance(items[0], CustomerItem):
        return None
    orders = [OrderSummary(id=o.id, number=o.number, total=int(o.total), status=o.status, created_at=o.created_at) for o in items[1:]]
    return _to_domain(items[0], orders)


def find_login(email: str) -> tuple[Customer, str | None] | None:
    """The customer owning an email, with their password hash (for login only)."""
    try:
        guard = EmailGuardItem.get(_guard_pk(email), "EMAIL", consistent_read=True)
        item = CustomerItem.get(_pk(guard.customer_id), _PROFILE, consistent_read=True)
    except (EmailGuardItem.DoesNotExist, CustomerItem.DoesNotExist):
        return None
    return _to_domain(item), item.password_hash


def update(before: Customer, after: Customer, event: TimelineEvent) -> Customer:
    """Save changed profile fields under the version read; an email change moves the guard in the
    same transaction. Stats and the password hash are left as stored."""
    changed = {k: v for k, v in after.model_dump(exclude={"stats", "version", "id", "created_at"}).items()
               if v != getattr(before, k)}
    actions = [getattr(CustomerItem, k).set(v) if v is not None else getattr(CustomerItem, k).remove()
               for k, v in changed.items()]
    if after.last_name != before.last_name:
        actions.append(CustomerItem.GSI1SK.set(_list_sort_key(after, _iso_to_ms(after.stats.last_order_at))))
    key = CustomerItem(PK=_pk(before.id), SK=_PROFILE)
    key.version = before.version
    email_moved = normalize_email(before.email) != normalize_email(after.email)
    try:
        with transact_write() as tx:
            if email_moved:
                tx.save(EmailGuardItem(PK=_guard_pk(after.email), SK="EMAIL", customer_id=after.id),
                        condition=EmailGuardItem.PK.does_not_exist(), return_values=ALL_OLD)
                tx.delete(EmailGuardItem(PK=_guard_pk(before.email), SK="EMAIL"),
                          condition=EmailGuardItem.customer_id == before.id)
            tx.update(key, actions=actions, return_values=ALL_OLD)
            tx.save(_event_item(after.id, event))
    except TransactWriteError as error:
        if "email_guard" in failed_conditions(error):
            raise _email_taken()
        raise _changed_meanwhile()
    return after.model_copy(update={"version": key.version})


def delete(customer: Customer) -> None:
    """Profile and email guard go together; the rest of the partition (timeline, ...) follows."""
    profile = CustomerItem(PK=_pk(customer.id), SK=_PROFILE)
    profile.version = customer.version  # PynamoDB adds the version condition
    try:
        with transact_write() as tx:
            tx.delete(profile)
            tx.delete(EmailGuardItem(PK=_guard_pk(customer.email), SK="EMAIL"),
                      condition=EmailGuardItem.customer_id == customer.id)
    except TransactWriteError:
        raise _changed_meanwhile()
    rest = TableItem.query(_pk(customer.id), attributes_to_get=["PK", "SK"])
    with TableItem.batch_write() as batch:
        for item in rest:
            batch.delete(item)


def add_order(customer: Customer, order: OrderSummary, spent: int) -> bool:
    """Put an order on the customer's history card and stats, once per order id: a redelivered
    event changes nothing (False). `spent` is 0 for test orders."""
    summary = OrderSummaryItem(PK=_pk(customer.id), SK=_ORDER_PREFIX + order.id.translate(_NEWEST_FIRST),
                               **order.model_dump())
    last_order_at = max(filter(None, [customer.stats.last_order_at, order.created_at]))
    key = CustomerItem(PK=_pk(customer.id), SK=_PROFILE)
    key.version = customer.version
    actions = [CustomerItem.order_count.add(1), CustomerItem.total_spent.add(spent),
               CustomerItem.last_order_at.set(last_order_at),
               CustomerItem.GSI1SK.set(_list_sort_key(customer, _iso_to_ms(last_order_at)))]
    try:
        with transact_write() as tx:
            tx.save(summary, condition=OrderSummaryItem.PK.does_not_exist(), return_values=ALL_OLD)
            tx.update(key, actions=actions, return_values=ALL_OLD)
    except TransactWriteError as error:
        if "order_summary" in failed_conditions(error):
            return False
        raise _changed_meanwhile()
    return True


def list_page(limit: int, next_token: str | None) -> Page[Customer]:
    """Customers by last order (newest first), then last name: one Query on GSI1 per page."""
    start = decode_token(next_token, {"PK", "SK", "GSI1PK", "GSI1SK"})
    result = CustomerItem.gsi1.query(_LIST_PK, limit=limit, last_evaluated_key=start)
    items = [_to_domain(item) for item in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def timeline(customer_id: str, limit: int, next_token: str | None) -> Page[TimelineEvent]:
    """Newest first: one Query on the customer's partition."""
    start = decode_token(next_token, {"PK", "SK"})
    result = TimelineEventItem.query(
        _pk(customer_id), TimelineEventItem.SK.startswith("EVT#"), scan_index_forward=False,
        limit=limit, last_evaluated_key=start,
    )
    events = [TimelineEvent(id=e.id, type=e.event_type, at=e.at, actor=e.actor, data=e.data) for e in result]
    return Page(items=events, next_token=encode_token(result.last_evaluated_key))
