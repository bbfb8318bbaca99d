"""Order repository: the only code that knows the orders' keys, indexes and conditions.

Items (see docs/architecture.md for the whole table):
- order `ORDER#<id>/ORDER` with its lines; sorted by `<created_at>#<id>` in GSI1 `ORDERS` (all),
  GSI2 `OSTATUS#<status>`, GSI3 `OPAY#<payment_status>`, GSI4 `OFUL#<fulfillment_status>`;
- number `ORDERNO#<number>/ORDERNO` (lookup by number, and numbers stay unique);
- timeline `ORDER#<id>/EVT#<ulid>`;
- the unprocessed-orders badge: counter `COUNTER#unprocessed_orders`;
- payment events applied: `PAYEVT#<provider event id>/PAYEVT` (TTL).
An order change writes all of its effects (customer card and stats, badge, events, queued emails,
the stock of its products) in ONE transaction conditioned on the order's version. An import's
new orders (`place_together`) share transactions; their number items and timeline events follow them
in BatchWriteItems (idempotent puts).
"""
import dataclasses
import random
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.customers import Customer, OrderSummary
from chalicelib.domain.errors import ChangedMeanwhile, DomainError, OrderExists, PaymentEventSeen
from chalicelib.domain.order_imports import OrderRef, order_id_of, pointer_of
from chalicelib.domain.orders import (
    UNPROCESSED,
    Discount,
    Order,
    OrderCustomer,
    OrderEffects,
    OrderLine,
    default_delivery_name,
    priced,
)
from chalicelib.domain.pages import Page
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.store import companions, mail_log
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo
from chalicelib.store.companions import Companion
from chalicelib.store.models import (
    ALL_OLD,
    CounterItem,
    OrderEventItem,
    OrderItem,
    OrderNumberItem,
    PaymentDueItem,
    ProcessedEventItem,
    TableItem,
    failed_conditions,
    transact_write,
)
from chalicelib.store.pagination import decode_token, newest_first, one_request
from chalicelib.store.raw_requests import batch_write

_ORDER = "ORDER"
_SCALARS = ("id", "number", "customer_id", "customer_entry_id", "billing_address", "shipping_address",
            "delivery_method", "delivery_method_name", "payment_method", "status", "payment_status", "fulfillment_status",
            "shipping", "currency", "is_test", "attribution", "invoice_number", "flags", "created_at", "updated_at",
            "placed_at", "placed_day", "refunded_day", "customer_group_id", "imported", "report_customer_key")
_INT_FIELDS = ("number", "shipping", "invoice_number")
# Which index lists orders by which axis (the partition prefix is the axis' own).
INDEX_OF_AXIS = {None: ("gsi1", "ORDERS"), "status": ("gsi2", "OSTATUS#"), "payment_status": ("gsi3", "OPAY#"),
                 "fulfillment_status": ("gsi4", "OFUL#")}


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def _sort_key(order: Order) -> str:
    return f"{order.created_at}#{order.id}"


def _item(order: Order) -> OrderItem:
    key = _sort_key(order)
    return OrderItem(
        PK=order_pk(order.id), SK=_ORDER, GSI1PK="ORDERS", GSI1SK=key,
        GSI2PK=f"OSTATUS#{order.status}", GSI2SK=key, GSI3PK=f"OPAY#{order.payment_status}", GSI3SK=key,
        GSI4PK=f"OFUL#{order.fulfillment_status}", GSI4SK=key,
        customer=dataclasses.asdict(order.customer), lines=[dataclasses.asdict(line) for line in order.lines],
        order_discount=dataclasses.asdict(order.order_discount) if order.order_discount else None,
        **{name: getattr(order, name) for name in _SCALARS})


def _to_domain(item: OrderItem) -> Order:
    fields = {name: getattr(item, name) for name in _SCALARS}
    for name in _INT_FIELDS:
        fields[name] = None if fields[name] is None else int(fields[name])
    # Orders stored before the report fields: placed when created, on its UTC day, for its entry.
    fields["placed_at"] = fields["placed_at"] or fields["created_at"]
    fields["placed_day"] = fields["placed_day"] or fields["placed_at"][:10]
    fields["report_customer_key"] = fields["report_customer_key"] or fields["customer_entry_id"] or fields["id"]
    fields["delivery_method_name"] = fields["delivery_method_name"] or default_delivery_name(fields["delivery_method"])
    order = Order(customer=OrderCustomer(**item.customer), lines=[OrderLine(**line) for line in item.lines],
                  order_discount=Discount(**item.order_discount) if item.order_discount else None,
                  version=item.version, **fields)
    return dataclasses.replace(order, **_totals(order))


def _totals(order: Order) -> dict:
    """Totals are stored only as lines and discount: recomputed on read, they cannot drift."""
    priced_order = priced(order)
    return {k: getattr(priced_order, k) for k in ("lines", "subtotal", "discount", "total")}


def _summary(order: Order) -> OrderSummary:
    return OrderSummary(id=order.id, number=order.number, total=order.total, status=order.status, created_at=order.created_at)


def event_item(order_id: str, event: TimelineEvent) -> OrderEventItem:
    return OrderEventItem(PK=order_pk(order_id), SK=f"EVT#{event.id}", id=event.id, event_type=event.type,
                          at=event.at, actor=event.actor, data=event.data)


def _stage_effects(tx, order: Order, effects: OrderEffects) -> None:
    """The effects' writes (the sales per sku and day follow from the stream: services/report_aggregates)."""
    for event in effects.events:
        tx.save(event_item(order.id, event))
    for mail in effects.mails:
        tx.save(mail_log.queued_item(mail))
    due_before, due_after = effects.payment_due
    if due_after != due_before:
        due = PaymentDueItem(PK="PAYDUE", SK=f"{order.created_at}#{order.id}", order_id=order.id)
        tx.save(due) if due_after else tx.delete(due)
    if effects.unprocessed_delta:
        tx.update(CounterItem(PK=f"COUNTER#{UNPROCESSED}", SK="COUNTER"),
                  actions=[CounterItem.value.add(effects.unprocessed_delta), CounterItem.item_type.set(CounterItem)])
    product_repo.stage_stock(tx, effects.stock)
    if effects.payment_event_id:
        tx.save(ProcessedEventItem(PK=f"PAYEVT#{effects.payment_event_id}", SK="PAYEVT", order_id=order.id,
                                   at=order.updated_at, expires_at=_in_days(order.updated_at, 90)),
                condition=ProcessedEventItem.PK.does_not_exist(), return_values=ALL_OLD)


def _in_days(iso: str, days: int) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()) + days * 86400


@dataclass
class Placement:
    """A new order and what `place` writes with it."""

    order: Order
    effects: OrderEffects
    customer: Customer | None = None
    guest_entry: Customer | None = None
    also: Sequence[Companion] = ()


def place(placement: Placement) -> Order:
    """A new order, its number, and everything it changes, in ONE transaction: for a registered
    customer the history card and stats; for a guest, the guest's own customer entry; and `also`
    (other repositories' writes: the cart's closing, a coupon's use, a subscription). OrderExists if
    the order is there already; a companion's refusal as its domain error; else a Conflict."""
    item = _item(placement.order)
    try:
        _transact(lambda tx: _stage_one(tx, placement, item))
    except TransactWriteError as error:
        if "order" in failed_conditions(error):
            raise OrderExists("This order exists already.") from error
        raise (companions.refusal(error, list(placement.also)) or product_repo.stock_refusal(error)
               or _changed_meanwhile()) from error
    return dataclasses.replace(placement.order, version=item.version)


_ITEMS_PER_TRANSACTION = 100  # DynamoDB's limit


def place_together(placements: Sequence[Placement], threads: int) -> list[DomainError | None]:
    """New orders that share no item (an import's orders of distinct customers), several to a
    transaction: placements whose items do not meet are packed up to DynamoDB's 100 items; `threads`
    transactions at once. What need not be atomic with the order (its number's item, its timeline
    events: idempotent puts) follows the transaction in BatchWriteItems. Fewer, fuller transactions:
    DynamoDB Local runs them one at a time (bench/imports.py). A transaction cancelled by a condition
    wrote nothing; its orders are then placed one by one (`place`), so each gets its own answer.
    Returns, per placement, None (placed) or the domain error that refused it."""
    groups = _packed(placements)
    outcomes: list[DomainError | None] = [None] * len(placements)

    def write(group: list[tuple[int, _Staged]]) -> None:
        def stage(tx: TransactWrite) -> None:
            for _, staged in group:
                staged.into(tx)

        try:
            _transact(stage)
            _put([item for _, staged in group for item in staged.following])
        except TransactWriteError:
            for i, _ in group:
                try:
                    place(placements[i])
                except DomainError as error:
                    outcomes[i] = error

    with ThreadPoolExecutor(max(1, min(threads, len(groups)))) as pool:
        list(pool.map(write, groups))
    return outcomes


class _Staged:
    """A placement's writes, staged once: the keys of their items (to pack placements whose items do
    not meet), the calls that stage them into a transaction (sent again as they are if it is retried:
    PynamoDB moves a model's version only once the transaction commits), and what follows it."""

    def __init__(self, placement: Placement) -> None:
        self.keys: set[tuple[str, str]] = set()
        self.following: list[TableItem] = []
        self._calls: list[tuple[str, TableItem, dict]] = []
        _stage_one(cast(TransactWrite, self), placement, following=self.following)

    def _record(self, method: str, model: TableItem, **options) -> None:
        self.keys.add((model.PK, model.SK))
        self._calls.append((method, model, options))

    def save(self, model: TableItem, **options) -> None:
        self._record("save", model, **options)

    def update(self, model: TableItem, **options) -> None:
        self._record("update", model, **options)

    def delete(self, model: TableItem, **options) -> None:
        self._record("delete", model, **options)

    def into(self, tx: TransactWrite) -> None:
        for method, model, options in self._calls:
            getattr(tx, method)(model, **options)


def _packed(placements: Sequence[Placement]) -> list[list[tuple[int, _Staged]]]:
    """Placements (by index, staged) in groups whose items do not meet and fit one transaction: each
    into the first group it fits."""
    groups: list[tuple[list[tuple[int, _Staged]], set[tuple[str, str]]]] = []
    for index, placement in enumerate(placements):
        staged = _Staged(placement)
        for members, keys in groups:
            if not keys & staged.keys and len(keys) + len(staged.keys) <= _ITEMS_PER_TRANSACTION:
                members.append((index, staged))
                keys.update(staged.keys)
                break
        else:
            groups.append(([(index, staged)], set(staged.keys)))
    return [members for members, _ in groups]


def _stage_one(tx: TransactWrite, p: Placement, item: OrderItem | None = None, following: list[TableItem] | None = None
               ) -> None:
    _stage_placement(tx, item or _item(p.order), p.order, p.effects, p.customer, p.guest_entry, following)
    for companion in p.also:
        companions.stage(tx, companion)


def _following_items(order: Order, events: Iterable[TimelineEvent], customer_events: Iterable[TimelineEvent],
                     entry_id: str | None) -> list[TableItem]:
    """What may follow an order's transaction (idempotent puts: the ids are the order's): the item
    that finds it by number and its timeline events."""
    items: list[TableItem] = [OrderNumberItem(PK=f"ORDERNO#{order.number}", SK="ORDERNO", order_id=order.id)]
    items += [event_item(order.id, event) for event in events]
    if entry_id is not None:
        items += [customer_repo.event_item(entry_id, event) for event in customer_events]
    return items


def put_following(committed: Iterable[tuple[Order, Sequence[TimelineEvent], Sequence[TimelineEvent]]]) -> None:
    """What follows orders committed by `place_together` (their number's items, their timeline events:
    each order with its own and its customer's), put again for a step that died before putting it: the
    same items, under the same ids, in BatchWriteItems."""
    _put([item for order, events, customer_events in committed
          for item in _following_items(order, events, customer_events, order.customer_entry_id)])


def _put(items: list[TableItem]) -> None:
    batch_write([{"PutRequest": {"Item": item.serialize()}} for item in items])


_TRIES = 10  # a transaction cancelled by a concurrent one on the same item (a product's stock) is sent again


def _transact(stage: Callable[[TransactWrite], None]) -> None:
    """Run the transaction `stage` builds. One cancelled only because a concurrent transaction held one
    of its items (TransactionConflict: nothing was written) is sent again after a jittered pause, so
    buyers racing for the same products get an answer on the merits (placed, or out of stock)."""
    for attempt in range(_TRIES):
        try:
            with transact_write() as tx:
                stage(tx)
            return
        except TransactWriteError as error:
            codes = {reason.code for reason in error.cancellation_reasons or [] if reason is not None}
            if attempt == _TRIES - 1 or "TransactionConflict" not in codes or "ConditionalCheckFailed" in codes:
                raise
            time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))


def _stage_placement(tx, item: OrderItem, order: Order, effects: OrderEffects, customer: Customer | None,
                     guest_entry: Customer | None, following: list[TableItem] | None = None) -> None:
    """The order (conditioned: a retried placement finds it), its number, the customer side, the effects;
    the number's item and the timeline events into `following` instead, when given."""
    tx.save(item, condition=OrderItem.PK.does_not_exist(), return_values=ALL_OLD)
    if following is None:
        tx.save(OrderNumberItem(PK=f"ORDERNO#{order.number}", SK="ORDERNO", order_id=order.id),
                condition=OrderNumberItem.PK.does_not_exist())
    else:
        entry = customer or guest_entry
        following += _following_items(order, effects.events, effects.customer_events, entry.id if entry else None)
        effects = dataclasses.replace(effects, events=[], customer_events=[])
    counted, spent = effects.counted_after
    if guest_entry is not None:  # its search entries follow through the stream: the transaction has no room for them
        card = customer_repo.order_summary_item(guest_entry.id, _summary(order), counted=counted, counted_total=spent)
        customer_repo.stage_create(tx, guest_entry, effects.customer_events, extra_items=[card], index_later=True)
    elif customer is not None:
        customer_repo.stage_order_added(tx, customer, _summary(order), counted, spent, order.is_test, effects.customer_events)
    _stage_effects(tx, order, effects)


def _changed_meanwhile() -> ChangedMeanwhile:
    return ChangedMeanwhile("The order was changed by someone else meanwhile; read it again and retry.")


def save(before: Order, after: Order, effects: OrderEffects, also: Sequence[Companion] = ()) -> Order:
    """The changed order under the version read, with its effects (and `also`: e.g. the imported rows
    its new lines come from), in ONE transaction."""
    item = _item(after)
    item.version = before.version

    def stage(tx: TransactWrite) -> None:
        tx.save(item, return_values=ALL_OLD)  # PynamoDB conditions it on the version and bumps it
        if after.customer_entry_id is not None:
            customer_repo.stage_order_changed(tx, after.customer_entry_id, _summary(after), *effects.counted_after,
                                              *effects.counted_before)
        _stage_effects(tx, after, effects)
        for companion in also:
            companions.stage(tx, companion)

    try:
        _transact(stage)
    except TransactWriteError as error:
        failed = failed_conditions(error)
        if "processed_event" in failed:
            raise PaymentEventSeen("This payment event was applied already.") from error
        refused = companions.refusal(error, list(also))
        if refused is not None:
            raise refused from error
        if "order" in failed:  # the version read is no longer the stored one
            raise _changed_meanwhile() from error
        raise product_repo.stock_refusal(error) or _changed_meanwhile() from error
    return dataclasses.replace(after, version=item.version)


def delete(order: Order, effects: OrderEffects) -> None:
    """The order, its number and its share of the stats (a guest's entry with it) in one transaction;
    then its timeline."""
    key = order_key(order.id)
    key.version = order.version

    def stage(tx: TransactWrite) -> None:
        tx.delete(key)
        tx.delete(OrderNumberItem(PK=f"ORDERNO#{order.number}", SK="ORDERNO"))
        if order.customer_entry_id is not None and order.customer_entry_id == order.id:
            customer_repo.stage_guest_entry_removed(tx, order.id)
        elif order.customer_entry_id is not None:
            customer_repo.stage_order_removed(tx, order.customer_entry_id, _summary(order), *effects.counted_before)
        _stage_effects(tx, order, dataclasses.replace(effects, events=[], mails=[]))

    try:
        _transact(stage)
    except TransactWriteError as error:
        raise _changed_meanwhile() from error
    events = OrderEventItem.query(order_pk(order.id), OrderEventItem.SK.startswith("EVT#"), attributes_to_get=["PK", "SK"])
    with OrderEventItem.batch_write() as batch:
        for event in events:
            batch.delete(event)


def from_image(raw_image: dict | None) -> Order | None:
    """The order in a stream record's image (DynamoDB JSON), or None if the image is not an order."""
    if not raw_image or raw_image.get("type", {}).get("S") != OrderItem.item_type.get_discriminator(OrderItem):
        return None
    return _to_domain(OrderItem.from_raw_data(raw_image))


def order_key(order_id: str) -> OrderItem:
    return OrderItem(PK=order_pk(order_id), SK=_ORDER)


def get(order_id: str) -> Order | None:
    try:
        return _to_domain(OrderItem.get(order_pk(order_id), _ORDER, consistent_read=True))
    except OrderItem.DoesNotExist:
        return None


def get_many(order_ids: Iterable[str]) -> list[Order]:
    """Orders in the order asked (missing ones left out): one BatchGet."""
    wanted = list(dict.fromkeys(order_ids))
    if not wanted:
        return []
    found = {i.id: _to_domain(i) for i in OrderItem.batch_get([(order_pk(o), _ORDER) for o in wanted])}
    return [found[o] for o in wanted if o in found]


def imported_pointers(refs: list[str]) -> dict[str, OrderRef]:
    """The platform references imported already, by reference: where their orders came from (job and
    first row), one BatchGet per 100 that reads only that."""
    ids = {order_id_of(ref): ref for ref in dict.fromkeys(refs)}
    if not ids:
        return {}
    found = OrderItem.batch_get([(order_pk(order_id), _ORDER) for order_id in ids],
                                attributes_to_get=["PK", "SK", "type", "id", "attribution"])
    pointers = {ids[item.id]: pointer_of(item.id, item.attribution) for item in found}
    return {ref: pointer for ref, pointer in pointers.items() if pointer is not None}


def find_by_number(number: int) -> Order | None:
    try:
        pointer = OrderNumberItem.get(f"ORDERNO#{number}", "ORDERNO")
    except OrderNumberItem.DoesNotExist:
        return None
    return get(pointer.order_id)


def list_page(axis: str | None, value: str | None, created_from: str | None, created_to: str | None,
              limit: int, next_token: str | None) -> Page[Order]:
    """Newest first, ONE request per page: on GSI1 (all orders), or the index of the axis filtered
    by; the creation range is a key condition. A page's items are then filtered by the service."""
    index_name, prefix = INDEX_OF_AXIS[axis]
    index = getattr(OrderItem, index_name)
    name = index.Meta.index_name
    sort_key = getattr(OrderItem, f"{name}SK")
    lower, upper = created_from or "0", (created_to or "9999") + "~"
    start = decode_token(next_token, {"PK", "SK", f"{name}PK", f"{name}SK"})
    result = index.query(prefix + (value or ""), sort_key.between(lower, upper), scan_index_forward=False,
                         page_size=limit, last_evaluated_key=start)
    items, token = one_request(OrderItem, result)
    return Page(items=[_to_domain(i) for i in items], next_token=token)


def awaiting_payment_since(created_before: str, limit: int) -> list[str]:
    """Ids of the open online orders still unpaid, placed before the given time, oldest first: one
    Query on `PAYDUE`, which holds only those."""
    return [due.order_id for due in PaymentDueItem.query("PAYDUE", created_before > PaymentDueItem.SK, limit=limit)]


def timeline(order_id: str, limit: int, next_token: str | None) -> Page[TimelineEvent]:
    return newest_first(OrderEventItem, order_pk(order_id), "EVT#", limit, next_token,
                        lambda e: TimelineEvent(id=e.id, type=e.event_type, at=e.at, actor=e.actor, data=e.data))


def add_events(order_id: str, events: list[TimelineEvent]) -> None:
    """Events that change nothing else (a note, an email sent)."""
    with OrderEventItem.batch_write() as batch:
        for event in events:
            batch.save(event_item(order_id, event))


def unprocessed_count() -> int:
    try:
        return int(CounterItem.get(f"COUNTER#{UNPROCESSED}", "COUNTER").value)
    except CounterItem.DoesNotExist:
        return 0
