"""Cart repository: the only code that knows the carts' keys, indexes and conditions.

Items:
- cart `CART#<id>/CART`; GSI1 `CARTS#open`/`<updated_at>#<id>` while open (staff lists: newest
  activity first; abandoned = `SK < now - delay` and lines); GSI2 `CUSTCARTS#<customer>`/
  `<1 open, 0 closed>#<created_at>#<id>` (the customer's Carts tab: open ones first, newest first;
  their open cart in one Query); GSI3 `CARTREMIND`/`<updated_at>#<id>` only while a
  reminder is owed: open, with lines, for a customer, not reminded since its last change. The reminder
  job reads `SK < now - delay` there: only the due carts, never all of them. The delay is applied at
  read time, so changing the setting applies to carts already waiting.
- checkout link `CLINK#<link id>/CLINK` (TTL).
"""
import dataclasses
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from chalicelib.domain.carts import Cart, CartLine, CartLink, CartState
from chalicelib.domain.errors import Conflict
from chalicelib.domain.mail import QueuedMail
from chalicelib.domain.pages import Page
from chalicelib.store import mail_log
from chalicelib.store.models import (
    ALL_OLD,
    CartItem,
    CheckoutLinkItem,
    condition_failed,
    transact_write,
    unchecked_version,
)
from chalicelib.store.pagination import decode_token, one_request

_SK = "CART"
_FIELDS = ("id", "token_hash", "customer_id", "state", "coupon", "schedule", "attribution", "ip", "order_id",
           "reminded_at", "created_at", "updated_at")
_REMIND = "CARTREMIND"


def _key(cart_id: str) -> tuple[str, str]:
    return f"CART#{cart_id}", _SK


def _index_attributes(cart: Cart) -> dict[str, Any]:
    is_open = cart.state == CartState.OPEN
    activity = f"{cart.updated_at}#{cart.id}"
    owes_reminder = is_open and bool(cart.lines) and cart.customer_id is not None and (
        cart.reminded_at is None or cart.reminded_at <= cart.updated_at)
    return {
        "GSI1PK": "CARTS#open" if is_open else None, "GSI1SK": activity if is_open else None,
        "GSI2PK": f"CUSTCARTS#{cart.customer_id}" if cart.customer_id else None,
        "GSI2SK": f"{int(is_open)}#{cart.created_at}#{cart.id}" if cart.customer_id else None,
        "GSI3PK": _REMIND if owes_reminder else None, "GSI3SK": activity if owes_reminder else None,
    }


def _to_domain(item: CartItem) -> Cart:
    fields = {name: getattr(item, name) for name in _FIELDS}
    return Cart(lines=[CartLine(**line) for line in item.lines], version=item.version, **fields)


def changed_meanwhile() -> Conflict:
    """The cart moved since it was read (its version condition failed)."""
    return Conflict("The cart was changed meanwhile; read it again and retry.")


def item_of(cart: Cart) -> CartItem:
    """The cart as stored, with the index keys its state calls for (the bench loads carts with it)."""
    attributes: dict[str, Any] = {k: v for k, v in _index_attributes(cart).items() if v is not None}
    attributes.update({name: getattr(cart, name) for name in _FIELDS})
    pk, sk = _key(cart.id)
    return CartItem(pk, sk, lines=[dataclasses.asdict(line) for line in cart.lines], **attributes)


def create(cart: Cart) -> Cart:
    item = item_of(cart)
    item.save(condition=CartItem.PK.does_not_exist())
    return dataclasses.replace(cart, version=item.version)


def get(cart_id: str) -> Cart | None:
    try:
        return _to_domain(CartItem.get(*_key(cart_id), consistent_read=True))
    except CartItem.DoesNotExist:
        return None


def _versioned(cart: Cart) -> CartItem:
    item = item_of(cart)
    item.version = cart.version
    return item


def save(cart: Cart) -> Cart:
    """The whole cart under the version read: a concurrent change makes this a 409 (the service
    retries on a fresh read, so no line is lost)."""
    item = _versioned(cart)
    try:
        item.save()
    except PutError as error:
        if condition_failed(error):
            raise changed_meanwhile() from error
        raise
    return dataclasses.replace(cart, version=item.version)


def stage_save(tx, cart: Cart) -> None:
    """The same, inside another repository's transaction (checkout: the cart closes with its order)."""
    tx.save(_versioned(cart), return_values=ALL_OLD)


def save_both(first: Cart, second: Cart) -> None:
    try:
        with transact_write() as tx:
            stage_save(tx, first)
            stage_save(tx, second)
    except TransactWriteError as error:
        raise changed_meanwhile() from error


def open_cart_of(customer_id: str) -> Cart | None:
    """The customer's newest open cart: one Query for one item (open carts sort under `1#`)."""
    for item in CartItem.gsi2.query(f"CUSTCARTS#{customer_id}", CartItem.GSI2SK.startswith("1#"),
                                    scan_index_forward=False, limit=1):
        cart = get(item.id)  # the index lags: the cart itself, read consistently
        return cart if cart is not None and cart.state == CartState.OPEN else None
    return None


def customer_page(customer_id: str, limit: int, next_token: str | None) -> Page[Cart]:
    start = decode_token(next_token, {"PK", "SK", "GSI2PK", "GSI2SK"})
    result = CartItem.gsi2.query(f"CUSTCARTS#{customer_id}", scan_index_forward=False, page_size=limit,
                                 last_evaluated_key=start)
    items, token = one_request(CartItem, result)
    return Page(items=[_to_domain(i) for i in items], next_token=token)


def open_page(limit: int, next_token: str | None, idle_before: str | None = None) -> Page[Cart]:
    """Open carts, newest activity first (GSI1, one request per page); with `idle_before`, only those
    idle since then and holding lines (abandoned)."""
    start = decode_token(next_token, {"PK", "SK", "GSI1PK", "GSI1SK"})
    condition = idle_before > CartItem.GSI1SK if idle_before else None
    result = CartItem.gsi1.query("CARTS#open", condition, scan_index_forward=False, page_size=limit,
                                 last_evaluated_key=start,
                                 filter_condition=(CartItem.lines != []) if idle_before else None)
    items, token = one_request(CartItem, result)
    return Page(items=[_to_domain(i) for i in items], next_token=token)


def reminders_due(idle_before: str, limit: int) -> list[Cart]:
    """Carts owed a reminder and idle since `idle_before`: GSI3, reads only those."""
    return [_to_domain(i) for i in CartItem.gsi3.query(_REMIND, idle_before > CartItem.GSI3SK, limit=limit)]


def mark_reminded(cart: Cart, at: str, mail: QueuedMail | None) -> bool:
    """Take the cart's reminder for this idle period and queue its email, in one transaction,
    conditioned on the cart still owing it and unchanged since read: two runs (or a run and a
    shopper's change) cannot both send. False when someone else took it or the cart moved on."""
    item = unchecked_version(CartItem(*_key(cart.id)))  # the condition below is what matters
    try:
        with transact_write() as tx:
            tx.update(item, actions=[CartItem.reminded_at.set(at), CartItem.GSI3PK.remove(), CartItem.GSI3SK.remove()],
                      condition=(CartItem.GSI3PK == _REMIND) & (CartItem.updated_at == cart.updated_at),
                      add_version_condition=False)
            if mail is not None:
                tx.save(mail_log.queued_item(mail))
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def delete_customer_carts(customer_id: str) -> None:
    """Every cart of the customer (GSI2, all pages). Idempotent."""
    keys = list(CartItem.gsi2.query(f"CUSTCARTS#{customer_id}"))
    with CartItem.batch_write() as batch:
        for item in keys:
            batch.delete(CartItem(*_key(item.id)))


def create_link(link_id: str, cart_id: str, customer_id: str, expires_at: int, created_by: str,
                mail: QueuedMail | None = None) -> None:
    """The link, with the email that sends it (if any) in the same transaction."""
    with transact_write() as tx:
        tx.save(CheckoutLinkItem(f"CLINK#{link_id}", "CLINK", cart_id=cart_id, customer_id=customer_id,
                                 expires_at=expires_at, created_by=created_by))
        if mail is not None:
            tx.save(mail_log.queued_item(mail))


def get_link(link_id: str) -> CartLink | None:
    try:
        item = CheckoutLinkItem.get(f"CLINK#{link_id}", "CLINK", consistent_read=True)
    except CheckoutLinkItem.DoesNotExist:
        return None
    return CartLink(id=link_id, cart_id=item.cart_id, customer_id=item.customer_id, expires_at=int(item.expires_at),
                    created_by=item.created_by)


def set_ip(cart: Cart, ip: str) -> None:
    """Where the customer opened the cart from (the order of a staff checkout carries it)."""
    item = unchecked_version(CartItem(*_key(cart.id)))
    try:
        item.update(actions=[CartItem.ip.set(ip)], condition=CartItem.PK.exists(), add_version_condition=False)
    except UpdateError as error:
        if not condition_failed(error):
            raise
