"""Sequences: order numbers (unique, gaps allowed) and gapless numbers (invoices).

`next_value` is one atomic ADD: every caller gets a different number, but a number is lost if the
caller's own write then fails. `take_gapless` writes the counter and the items numbered with it in
ONE transaction, conditioned on the value read: a number is used exactly when its items are written,
so the sequence has no gaps and no repeats; concurrent takers retry on the next value."""
import random
import time
from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict
from chalicelib.store.models import ALL_OLD, CounterItem, condition_failed, transact_write

_ATTEMPTS = 40
_BACKOFF_BASE, _BACKOFF_CAP = 0.005, 0.2  # seconds: full-jitter exponential backoff between attempts


def _key(name: str) -> CounterItem:
    return CounterItem(PK=f"COUNTER#{name}", SK="COUNTER")


def next_value(name: str, start: int = 1) -> int:
    """The next number of the sequence, from `start` on."""
    counter = _key(name)
    counter.update(actions=[CounterItem.value.add(1), CounterItem.item_type.set(CounterItem)])
    return int(counter.value) + start - 1


def next_values(name: str, count: int, start: int = 1) -> list[int]:
    """`count` numbers of the sequence at once (one atomic ADD): for a batch of orders."""
    if count == 0:
        return []
    counter = _key(name)
    counter.update(actions=[CounterItem.value.add(count), CounterItem.item_type.set(CounterItem)])
    last = int(counter.value) + start - 1
    return list(range(last - count + 1, last + 1))


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
                          condition=unchanged, return_values=ALL_OLD)
                stage(tx, taken)
        except TransactWriteError as error:
            if _counter_moved(error, name):  # someone took `taken` first: back off, then the next one
                time.sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** attempt)))
                continue
            if condition_failed(error):  # the counter was still ours: one of stage's own conditions, done already
                return None
            raise
        return taken
    raise Conflict(f"Too many concurrent writers on '{name}'; try again.")


def _counter_moved(error: TransactWriteError, name: str) -> bool:
    """Whether the counter changed under us (its condition failed), or another transaction was busy
    with our items. Found by the counter's stored item (ALL_OLD), not by position: PynamoDB sends a
    transaction's puts before its updates, so the counter is not the first write. When the counter
    moved, the items numbered `taken` are someone else's, so a failure of theirs means nothing."""
    pk = f"COUNTER#{name}"
    for reason in error.cancellation_reasons or []:
        if reason is None:
            continue
        if reason.code == "TransactionConflict":
            return True
        if reason.code == "ConditionalCheckFailed" and (reason.raw_item or {}).get("PK", {}).get("S") == pk:
            return True
    return False
