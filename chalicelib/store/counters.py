"""Sequences: order numbers (unique, gaps allowed) and gapless numbers (invoices).

`next_value` is one atomic ADD: every caller gets a different number, but a number is lost if the
caller's own write then fails. `take_gapless` writes the counter and the items numbered with it in
ONE transaction, conditioned on the value read: a number is used exactly when its items are written,
so the sequence has no gaps and no repeats; concurrent takers retry on the next value."""
import random
import time
from typing import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.store.models import CounterItem, transact_write

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


def take_gapless(name: str, stage: Callable[[TransactWrite, int], None]) -> int | None:
    """Take the next number and run `stage(tx, number)` (the writes numbered with it) in the same
    transaction. Returns the number, or None when one of `stage`'s own conditions failed (what it
    writes was written already): then no number is used."""
    for attempt in range(_ATTEMPTS):
        last = current(name)
        taken = last + 1
        unchanged = CounterItem.value == last if last else CounterItem.PK.does_not_exist()
        try:
            with transact_write() as tx:
                tx.update(_key(name), actions=[CounterItem.value.set(taken), CounterItem.item_type.set(CounterItem)],
                          condition=unchanged)
                stage(tx, taken)
        except TransactWriteError as error:
            failed = [r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons or []]
            if any(failed[1:]):  # the counter is the first write; a later one's condition: done already
                return None
            if failed[:1] == [True]:  # someone took `taken` first: back off a little, then the next one
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            raise
        return taken
    raise Conflict(f"Too many concurrent writers on '{name}'; try again.")
