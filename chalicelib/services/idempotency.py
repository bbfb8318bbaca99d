"""Idempotency-Key claims of creating requests (the route layer's): the first request with a key runs
and its answer is kept for the repeats (store/idempotency.py keeps them, 24 hours)."""
from chalicelib.domain.idempotency import StoredAnswer
from chalicelib.store import idempotency as repo


def claim(scope: str, key: str) -> StoredAnswer | None:
    """None: the request is the first with this key, and runs. Else the first one's answer (a 409 while
    it still runs)."""
    return repo.claim(scope, key)


def complete(scope: str, key: str, status: int, body: str) -> None:
    repo.complete(scope, key, status, body)


def release(scope: str, key: str) -> None:
    """The request failed: the key is free for a retry."""
    repo.release(scope, key)
