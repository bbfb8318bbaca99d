"""Orders for staff and shoppers: place, read, list, move through the statuses, edit, delete.

Every change goes the same way: read the order, let the domain say what the new order is and what
that means elsewhere (stats, sales, badge, emails, events), and save it all in one transaction under
the version read."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import clock
from chalicelib.domain import customers as customer_domain
from chalicelib.domain import orders as domain
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, OutOfStock
from chalicelib.domain.ids import new_id
from chalicelib.domain.mail import queue_mail
from chalicelib.domain.order_status import (
    InvalidTransition,
    OrderStatus,
    PaymentStatus,
    can_delete,
    can_edit_lines,
    initial_state,
    move,
)
from chalicelib.domain.orders import Order, OrderCustomer, OrderedProduct, OrderEffects, OrderLine, OrderList
from chalicelib.domain.pages import Page
from chalicelib.domain.products import ProductStatus
from chalicelib.domain.reports import local_day
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.services import customers
from chalicelib.store import counters
from chalicelib.store import customers as customer_repo
from chalicelib.store import orders as repo
from chalicelib.store import products as product_repo
from chalicelib.store import report_aggregates as report_repo

if TYPE_CHECKING:
    from chalicelib.domain.order_inputs import LineChanges, LineInput, OrderChanges, OrderDraft, OrderQuery
    from chalicelib.domain.products import Product
    from chalicelib.domain.store_settings import StoreSettings
    from chalicelib.store.companions import Companion

    ImportedPlacement = tuple[Order, Customer | None]  # an order and its customer

_MAX_RANGE_DAYS = 366
_PAYMENT_ACTOR = "payment-provider"
_UNPAID_PAGE = 500  # unpaid orders cancelled per run at most (the schedule runs every 15 minutes)


def get_order(order_id: str) -> Order:
    order = repo.get(order_id)
    if order is None:
        raise NotFound("No order with this id.")
    return order


def effects_of(before: Order | None, after: Order | None, events: list[TimelineEvent]) -> OrderEffects:
    """What changing `before` into `after` (None: not there) means outside the order."""
    changed = after or before
    entry = changed.customer_entry_id if changed else None
    mails = [queue_mail(entry, template, **domain.mail_context(after))
             for template in domain.mails_for(before, after)] if after and entry else []
    return OrderEffects(
        events=events, mails=mails,
        counted_before=(domain.counts_as_order(before), domain.spent(before)),
        counted_after=(domain.counts_as_order(after), domain.spent(after)),
        unprocessed_delta=int(domain.is_unprocessed(after)) - int(domain.is_unprocessed(before)),
        payment_due=(domain.awaits_online_payment(before), domain.awaits_online_payment(after)),
        stock=domain.stock_changes(before, after))


def _tracked_now(changes: list[domain.StockChange]) -> list[domain.StockChange]:
    """The stock moves of a change to a placed order, for the products that track their stock now: one
    staff stopped tracking since the line was made takes nothing and gets nothing back (its stock is
    theirs to set). One BatchGet, only when the change moves stock at all."""
    if not changes:
        return changes
    catalogue = product_repo.get_many([change.sku for change in changes])
    return [change for change in changes if change.sku in catalogue and catalogue[change.sku].stock is not None]


# Placing

def catalogue_lines(wanted: list, staff_prices: bool) -> list[OrderLine]:
    """Order lines priced from the catalogue (staff may give another unit price). Unknown or
    no longer sold skus are a 422; less in stock than wanted, a 409 (the order's transaction checks
    again: this read only spares an order number)."""
    found = product_repo.get_many([w.sku for w in wanted])
    missing = [w.sku for w in wanted if w.sku not in found or found[w.sku].status == ProductStatus.ARCHIVED
               or (not staff_prices and found[w.sku].status != ProductStatus.ACTIVE)]
    if missing:
        raise InvalidInput("Unknown or unavailable products.", [{"field": "lines", "message": f"sku {s} cannot be ordered"}
                                                                 for s in missing])
    lines = [OrderLine(sku=w.sku, name=found[w.sku].name, quantity=w.quantity, discount=getattr(w, "discount", 0),
                       unit_price=w.unit_price if staff_prices and w.unit_price is not None else found[w.sku].price,
                       stock_tracked=found[w.sku].stock is not None)
             for w in wanted]
    check_stock(lines, found)
    return lines


def check_stock(lines: list[OrderLine], catalogue: dict[str, Product]) -> None:
    """OutOfStock (409) naming the skus of which less is in stock, as read, than the lines take."""
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    short = domain.stock_shortages(wanted, {sku: product.stock for sku, product in catalogue.items()})
    if short:
        raise OutOfStock(short)


@dataclasses.dataclass
class NewOrder:
    """Everything a new order needs; checkout and staff fill it in."""

    lines: list[OrderLine]
    payment_method: str
    delivery_method: str | None  # one of the store's active methods; None: its first active one
    customer: Customer | None = None  # a registered customer, or
    guest: OrderCustomer | None = None  # a guest
    billing_address: dict | None = None
    shipping_address: dict | None = None
    shipping: int | None = None  # the delivery method's fee unless given (staff)
    discount: domain.Discount | None = None
    is_test: bool = False
    attribution: dict = dataclasses.field(default_factory=dict)
    order_id: str | None = None
    placed_at: str | None = None  # when placed for the business, if earlier than now (staff's back-dated orders)


def place_order(new: NewOrder, actor: str, also: Sequence[Companion] = (), settings: StoreSettings | None = None) -> Order:
    """Number the order and write it with everything it changes, in one transaction, with `also`
    (what else the placement writes: a checkout's cart, coupon and subscription, a renewal's
    subscription; see store.companions). `settings`: the store's, when the caller read them already.
    The delivery method must be one of the store's active ones (422 naming them); its fee applies
    unless staff gave one. Lines that track stock take it in the same transaction (409 out_of_stock)."""
    from chalicelib.services import configuration

    order_id = new.order_id or new_id()
    now = utc_now()
    settings = settings or configuration.store_settings()
    method = settings.delivery_method(new.delivery_method)
    placed_at = new.placed_at or now
    buyer = new.guest or _as_buyer(new.customer)
    state = initial_state(new.payment_method)
    draft = Order(
        id=order_id, number=0, customer=buyer, customer_id=new.customer.id if new.customer else None,
        customer_entry_id=new.customer.id if new.customer else order_id,
        report_customer_key=new.customer.id if new.customer else order_id,
        customer_group_id=new.customer.group_id if new.customer else customer_domain.GUESTS_GROUP_ID,
        placed_at=placed_at, placed_day=local_day(placed_at, settings.timezone),
        billing_address=new.billing_address, shipping_address=new.shipping_address,
        delivery_method=method.code, delivery_method_name=method.name, payment_method=new.payment_method,
        status=state.status, payment_status=state.payment_status, fulfillment_status=state.fulfillment_status,
        lines=new.lines, order_discount=new.discount, shipping=new.shipping or 0,
        currency=settings.currency, is_test=new.is_test, attribution=new.attribution,
        created_at=now, updated_at=now)
    priced = domain.priced(draft)  # bad discounts are refused before a number is spent
    if new.shipping is None:
        priced = domain.priced(dataclasses.replace(priced, shipping=method.fee_for(priced.subtotal - priced.discount)))
    order = dataclasses.replace(priced, number=counters.next_value(domain.ORDER_NUMBERS, domain.FIRST_ORDER_NUMBER))
    return _placed(order, new.customer, domain.placed_event(actor, order), actor, also)


def _placed(order: Order, customer: Customer | None, event: TimelineEvent, actor: str,
            also: Sequence[Companion]) -> Order:
    """Write a new order: for a registered customer on their card; for a guest, with their own entry."""
    return repo.place(_placement(order, customer, event, actor, also))


def _placement(order: Order, customer: Customer | None, event: TimelineEvent, actor: str,
               also: Sequence[Companion]) -> repo.Placement:
    """What placing `order` writes: its effects, and for a guest their own customer entry."""
    effects = effects_of(None, order, [event])
    effects.customer_events = [_customer_event(actor, order)]
    guest_entry = None
    if customer is None:
        stats = customer_domain.CustomerStats(order_count=int(domain.counts_as_order(order)), total_spent=domain.spent(order),
                                              last_order_at=order.created_at)
        buyer = order.customer  # an imported guest order may have no email: its entry has none either
        snapshot = customer_domain.GuestSnapshot(email=buyer.email or "", first_name=buyer.first_name,
                                                 last_name=buyer.last_name, phone=buyer.phone)
        guest_entry = customer_domain.guest_entry(snapshot, order.id, stats, order.is_test)
    return repo.Placement(order, effects, customer=customer, guest_entry=guest_entry, also=also)


def _customer_event(actor: str, order: Order) -> TimelineEvent:
    """The order on its customer's timeline; an imported order's event has the order's id (put again
    by an import's step redone)."""
    return customer_domain.order_placed_event(actor, order.id, order.number, order.total,
                                              event_id=order.id if order.imported else None)


def complete_imported(order_ids: Sequence[str], actor: str) -> None:
    """What follows imported orders' transactions (their number's item, their timeline events), put
    again for orders a step committed before it died: the same items, under the same ids."""
    repo.put_following([(order, [domain.imported_event(actor, order)], [_customer_event(actor, order)])
                        for order in repo.get_many(order_ids)])


def place_imported(order: Order, customer: Customer | None, actor: str) -> Order:
    """An order brought in from another platform, as the import built it (its own date, states, prices
    and number): on the customer's card and in their stats, with nothing else that placing starts
    (domain.orders: an imported order sends no email and moves no stock)."""
    return _placed(domain.priced(order), customer, domain.imported_event(actor, order), actor, ())


def place_imported_together(imported: Sequence[ImportedPlacement], actor: str, threads: int) -> list[DomainError | None]:
    """Imported orders of distinct customers (`place_imported` for each), several to a transaction.
    Per order: None (placed) or the domain error that refused it (InvalidInput for its prices,
    OrderExists, OrderImportedAlready, ChangedMeanwhile: its customer's card changed meanwhile)."""
    outcomes: list[DomainError | None] = [None] * len(imported)
    ready: list[tuple[int, repo.Placement]] = []
    for index, (order, customer) in enumerate(imported):
        try:
            priced = domain.priced(order)
        except InvalidInput as error:
            outcomes[index] = error
            continue
        ready.append((index, _placement(priced, customer, domain.imported_event(actor, priced), actor, ())))
    for (index, _), outcome in zip(ready, repo.place_together([p for _, p in ready], threads), strict=True):
        outcomes[index] = outcome
    return outcomes


def add_imported_lines(order_id: str, more_lines: Callable[[Order], list[OrderLine]], also: Sequence[Companion],
                       actor: str) -> Order:
    """Lines of an imported order met later in its file (`more_lines` gives the order's lines with
    them), with what they change, in the order's transaction with `also`."""
    before = get_order(order_id)
    after = domain.priced(dataclasses.replace(before, lines=more_lines(before), updated_at=utc_now()))
    events = [domain.line_event(actor, "added", line) for line in after.lines if line not in before.lines]
    return repo.save(before, after, effects_of(before, after, events), also)


def _as_buyer(customer: Customer | None) -> OrderCustomer:
    if customer is None:
        raise InvalidInput("An order is for a customer or a guest.", [{"field": "customer_id"}, {"field": "guest"}])
    return OrderCustomer(email=customer.email, first_name=customer.first_name, last_name=customer.last_name,
                         phone=customer.phone)


def create_manual_order(draft: OrderDraft, actor: str, may_backdate: bool = False) -> Order:
    """Staff place an order for a customer or a guest (a phone order). Only admins (`may_backdate`) may
    give the time it was placed, in the past: it then counts in the reports on that day."""
    placed_at = _placed_at(draft.placed_at, may_backdate)
    customer = customers.get_customer(draft.customer_id) if draft.customer_id else None
    if customer is not None and customer.guest_order_id is not None:
        raise InvalidInput("A guest entry stands for one order; order for a guest instead.", [{"field": "customer_id"}])
    guest = OrderCustomer(**draft.guest.model_dump()) if draft.guest else None
    return place_order(NewOrder(
        lines=catalogue_lines(draft.lines, staff_prices=True), payment_method=draft.payment_method,
        delivery_method=draft.delivery_method, customer=customer, guest=guest,
        billing_address=_address(draft.billing_address), shipping_address=_address(draft.shipping_address),
        shipping=draft.shipping, discount=_discount(draft.discount), is_test=draft.is_test,
        attribution={**draft.attribution.model_dump(exclude_none=True), "channel": draft.attribution.channel or "admin",
                     "agent_id": actor}, placed_at=placed_at), actor)


def _placed_at(placed_at, may_backdate: bool) -> str | None:
    if placed_at is None:
        return None
    if not may_backdate:
        raise Forbidden("Only admins may give the time an order was placed.")
    if placed_at > clock.now():
        raise InvalidInput("An order cannot be placed in the future.", [{"field": "placed_at", "message": "in the past"}])
    return iso(placed_at)


def _address(address) -> dict | None:
    return address.model_dump() if address is not None else None


def _discount(discount) -> domain.Discount | None:
    return domain.Discount(**discount.model_dump()) if discount is not None else None


# Changing

def _save(before: Order, after: Order, events: list[TimelineEvent], payment_event_id: str | None = None) -> Order:
    if after.payment_status == PaymentStatus.REFUNDED and before.payment_status != PaymentStatus.REFUNDED:
        from chalicelib.services import configuration

        timezone = configuration.store_settings().timezone
        after = dataclasses.replace(after, refunded_day=local_day(after.updated_at, timezone))
    effects = effects_of(before, after, events)
    effects.payment_event_id = payment_event_id
    effects.stock = _tracked_now(effects.stock)
    return repo.save(before, after, effects)


def change_status(order_id: str, status: str, actor: str) -> Order:
    """Move one axis (named by the status) as the transition table allows (409 otherwise)."""
    before = get_order(order_id)
    after = domain.with_state(before, move(before.state, status))
    return _save(before, after, domain.status_events(actor, before, after))


def _editable(order_id: str) -> Order:
    order = get_order(order_id)
    if not can_edit_lines(order.state):
        raise Conflict("Only an open order that has not shipped can be edited.")
    if order.invoice_number is not None:
        raise Conflict(f"Invoice {order.invoice_number} is issued for this order: edits are refused. "
                       "Cancel the order (the invoice is cancelled with it) and place a new one.")
    return order


def _edited(before: Order, actor: str, events: list[TimelineEvent], **changes) -> Order:
    after = domain.priced(dataclasses.replace(before, updated_at=utc_now(), **changes))
    return _save(before, after, events)


def add_line(order_id: str, line: LineInput, actor: str) -> Order:
    before = _editable(order_id)
    if any(existing.sku == line.sku for existing in before.lines):
        raise Conflict(f"The order already has a line for {line.sku}; change its quantity instead.")
    [new_line] = catalogue_lines([line], staff_prices=True)
    return _edited(before, actor, [domain.line_event(actor, "added", new_line)], lines=[*before.lines, new_line])


def _line(order: Order, sku: str) -> OrderLine:
    for line in order.lines:
        if line.sku == sku:
            return line
    raise NotFound(f"The order has no line for {sku}.")


def change_line(order_id: str, sku: str, changes: LineChanges, actor: str) -> Order:
    before = _editable(order_id)
    old = _line(before, sku)
    new = dataclasses.replace(old, **changes.model_dump(exclude_unset=True, exclude_none=True))
    lines = [new if line.sku == sku else line for line in before.lines]
    return _edited(before, actor, [domain.line_event(actor, "changed", new, before=old)], lines=lines)


def remove_line(order_id: str, sku: str, actor: str) -> Order:
    before = _editable(order_id)
    old = _line(before, sku)
    if len(before.lines) == 1:
        raise Conflict("An order keeps at least one line; cancel the order instead.")
    return _edited(before, actor, [domain.line_event(actor, "removed", old)],
                   lines=[line for line in before.lines if line.sku != sku])


def change_order(order_id: str, changes: OrderChanges, actor: str) -> Order:
    """Addresses, delivery, shipping fee and the order discount of an order not shipped yet. A delivery
    method chosen is one of the store's active ones; its fee applies unless a shipping fee is sent."""
    from chalicelib.services import configuration

    before = _editable(order_id)
    sent = changes.model_dump(exclude_unset=True)
    updates: dict[str, Any] = {}
    events: list[TimelineEvent] = []
    for kind in ("billing_address", "shipping_address"):
        if kind in sent:
            updates[kind] = sent[kind]
            events.append(domain.address_event(actor, kind))
    method = configuration.store_settings().delivery_method(changes.delivery_method) if changes.delivery_method else None
    if method is not None:
        updates["delivery_method"], updates["delivery_method_name"] = method.code, method.name
    if changes.shipping is not None:
        updates["shipping"] = changes.shipping
    if changes.discount is not None or changes.remove_discount:
        updates["order_discount"] = None if changes.remove_discount else _discount(changes.discount)
    if not updates:
        return before
    after = domain.priced(dataclasses.replace(before, updated_at=utc_now(), **updates))
    if method is not None and changes.shipping is None:  # the new method's fee, on the goods as changed
        after = domain.priced(dataclasses.replace(after, shipping=method.fee_for(after.subtotal - after.discount)))
    if "order_discount" in updates:
        events.append(domain.discount_event(actor, after.order_discount, after.discount))
    return _save(before, after, events)


def delete_order(order_id: str) -> None:
    """Test orders and never-paid cancelled orders only: the rest are the merchant's records."""
    order = get_order(order_id)
    if not can_delete(order.state, order.is_test):
        raise Conflict("Only test orders and cancelled orders that were never paid can be deleted.")
    effects = effects_of(order, None, [])
    effects.stock = _tracked_now(effects.stock)
    repo.delete(order, effects)


def add_note(order_id: str, text: str, actor: str) -> TimelineEvent:
    get_order(order_id)
    event = domain.note_event(actor, text)
    repo.add_events(order_id, [event])
    return event


# Payments (the provider's webhook)

def apply_payment(order_id: str, event_id: str, succeeded: bool, amount: int, currency: str) -> Order:
    """A payment provider's outcome, once per provider event (a replay is PaymentEventSeen). A paid
    amount or currency that differs from the order flags the order for staff instead of paying it."""
    before = get_order(order_id)
    actor = _PAYMENT_ACTOR
    target = PaymentStatus.PAID if succeeded else PaymentStatus.PAYMENT_FAILED
    if succeeded and (amount != before.total or currency != before.currency):
        return _flag(before, f"paid {amount} {currency}, the order is {before.total} {before.currency}", event_id)
    try:
        after = domain.with_state(before, move(before.state, target))
    except InvalidTransition as refused:
        return _flag(before, f"payment {'succeeded' if succeeded else 'failed'} but {refused.message}", event_id)
    return _save(before, after, domain.status_events(actor, before, after), payment_event_id=event_id)


def _flag(before: Order, problem: str, payment_event_id: str) -> Order:
    """A payment the order cannot take is recorded on it for staff (the provider event counts as applied)."""
    after = dataclasses.replace(before, flags=[*before.flags, problem], updated_at=utc_now())
    return _save(before, after, [domain.payment_flagged_event(_PAYMENT_ACTOR, problem)], payment_event_id=payment_event_id)


# Scheduled: online orders left unpaid

def cancel_unpaid_orders() -> int:
    """Cancel card/PayPal orders unpaid for longer than the setting; returns how many. Each is
    re-read and moved under its version: a payment arriving meanwhile wins."""
    from chalicelib.services import configuration

    hours = configuration.store_settings().unpaid_order_cancel_hours
    cancelled = 0
    for order_id in repo.awaiting_payment_since(iso(clock.now() - timedelta(hours=hours)), limit=_UNPAID_PAGE):
        order = repo.get(order_id)
        if order is None or not domain.awaits_online_payment(order):
            continue
        try:
            change_status(order.id, OrderStatus.CANCELLED, "system:unpaid-timeout")
            cancelled += 1
        except Conflict:  # changed meanwhile (paid?): left as it is now
            continue
    return cancelled


# Reading

def matches(order: Order, query: OrderQuery) -> bool:
    wanted = {name: getattr(query, name) for name in ("status", "payment_status", "fulfillment_status", "delivery_method",
                                                      "payment_method", "is_test", "customer_id")}
    if any(value is not None and getattr(order, name) != value for name, value in wanted.items()):
        return False
    day = order.created_at[:10]
    return (query.from_ is None or day >= query.from_.isoformat()) and (query.to is None or day <= query.to.isoformat())


def list_orders(query: OrderQuery) -> OrderList:
    """One page of orders, newest first, with the count of orders waiting to be processed: read
    through the index that serves the most selective filter (docs/architecture.md), then keep those
    passing every filter. A page may hold fewer than `limit` orders; follow next_token. A delivery
    method filtered by is one of the store's, active or not (the orders of a retired method are still
    found); 422 naming them otherwise."""
    if query.delivery_method is not None:
        from chalicelib.services import configuration

        configuration.store_settings().known_delivery_code(query.delivery_method)
    page = _candidates(query)
    return OrderList(items=[o for o in page.items if matches(o, query)], next_token=page.next_token,
                     unprocessed_count=repo.unprocessed_count())


def _candidates(query: OrderQuery) -> Page[Order]:
    number = re.fullmatch(r"#?([0-9]{1,12})", query.q.strip()) if query.q else None
    if number:
        order = repo.find_by_number(int(number.group(1)))
        return Page(items=[order] if order else [], next_token=None)
    if query.q:
        from chalicelib.domain.customer_inputs import CustomerQuery

        found = customers.list_customers(CustomerQuery(q=query.q, limit=query.limit, next_token=query.next_token))
        ids = [order_id for c in found.items for order_id in customer_repo.order_ids(c.id, 20, None).items]
        return Page(items=repo.get_many(ids), next_token=found.next_token)
    if query.customer_id:
        page = customer_repo.order_ids(query.customer_id, query.limit, query.next_token)
        return Page(items=repo.get_many(page.items), next_token=page.next_token)
    axis = next((a for a in ("payment_status", "fulfillment_status", "status") if getattr(query, a)), None)
    return repo.list_page(axis, getattr(query, axis) if axis else None, customer_domain.day_start(query.from_),
                          customer_domain.day_end(query.to), query.limit, query.next_token)


def customer_orders(customer_id: str, limit: int, next_token: str | None) -> Page[Order]:
    """A customer's orders, newest first (their Orders tab; a shopper's own history)."""
    ids = customer_repo.order_ids(customer_id, limit, next_token)
    return Page(items=repo.get_many(ids.items), next_token=ids.next_token)


def order_timeline(order_id: str, limit: int, next_token: str | None) -> Page[TimelineEvent]:
    get_order(order_id)
    return repo.timeline(order_id, limit, next_token)



def ordered_products(day_from: date | None, day_to: date | None) -> list[OrderedProduct]:
    """Per sku sold in the range (default: the last 30 days): quantity, revenue, orders, and the
    cheapest supplier. Read from the sales kept per sku and day (from the stream), never from the orders."""
    day_to = day_to or clock.now().date()
    day_from = day_from or day_to - timedelta(days=30)
    if (day_to - day_from).days > _MAX_RANGE_DAYS:
        raise InvalidInput(f"The range is at most {_MAX_RANGE_DAYS} days.", [{"field": "from"}])
    totals: dict[str, OrderedProduct] = {}
    for row in report_repo.ordered_sales(day_from, day_to):
        seen = totals.setdefault(row.sku, OrderedProduct(row.sku, row.name, 0, 0, [], None))
        seen.quantity_sold += row.quantity
        seen.revenue += row.revenue
        seen.order_ids = sorted(set(seen.order_ids) | row.order_ids)
    sold = [p for p in totals.values() if p.quantity_sold > 0]
    catalogue = product_repo.get_many([p.sku for p in sold])
    for product in sold:
        supplier = catalogue[product.sku].cheapest_supplier() if product.sku in catalogue else None
        product.cheapest_supplier = dataclasses.asdict(supplier) if supplier else None
    return sorted(sold, key=lambda p: (-p.revenue, p.sku))


# A deleted customer

def anonymise_orders_of(customer_id: str) -> int:
    """Orders of a deleted customer keep what was bought and lose who bought it. Safe to run again."""
    done, token = 0, None
    while True:
        ids = customer_repo.order_ids(customer_id, 100, token)
        for order in repo.get_many(ids.items):
            if order.customer_entry_id is not None:
                repo.save(order, domain.anonymised(order), OrderEffects())
                done += 1
        token = ids.next_token
        if token is None:
            return done
