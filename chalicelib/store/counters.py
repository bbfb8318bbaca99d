"""Sequences: order numbers (unique, gaps allowed) and gapless numbers (invoices).

`next_value` is one atomic ADD: every caller gets a different number, but a number is lost if the
caller's own write then fails. `take_gapless` writes the counter and the items numbered with it in
ONE transaction, conditioned on the value read: a number is used exactly when its items are written,
so the sequence has no gaps and no repeats; concurrent takers retry on the next value."""
from typing import Callable

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.errors import Conflict
from chalicelib.store.models import CounterItem, TableItem, condition_failed, transact_write

_ATTEMPTS = 25


def _key(name: str) -> CounterItem:
    return CounterItem(PK=f"COUNTER#{name}", SK="COUNTER")


def next_value(name: str, start: int = 1) -> int:
    """The next number of the sequence, from `start` on."""
    counter = _key(name)
    counter.update(actions=[CounterItem.value.add(1), CounterItem.item_type.set(CounterItem)])
    return int(counter.value) + start - 1


def current(name: str) -> int:
    try:
        return int(CounterItem.get(f"COUNTER#{name}", "COUNTER", consistent_read=True).value)
    except CounterItem.DoesNotExist:
        return 0


def take_gapless(name: str, items_for: Callable[[int], list[TableItem]]) -> int:
    """Take the next number and write `items_for(number)` with it, atomically. Returns the number."""
    for _ in range(_ATTEMPTS):
        last = current(name)
        taken = last + 1
        unchanged = CounterItem.value == last if last else CounterItem.PK.does_not_exist()
        try:
            with transact_write() as tx:
                tx.update(_key(name), actions=[CounterItem.value.set(taken), CounterItem.item_type.set(CounterItem)],
                          condition=unchanged)
                for item in items_for(taken):
                    tx.save(item)
        except TransactWriteError as error:
            if condition_failed(error):  # the counter's is the only condition: someone took `taken` first
                continue
            raise
        return taken
    raise Conflict(f"Too many concurrent writers on '{name}'; try again.")
