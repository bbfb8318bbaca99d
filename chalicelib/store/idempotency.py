"""Idempotency keys of creating requests: the first request with a key claims it, runs, and stores
its answer; a repeat gets the stored answer; a repeat while the first still runs is a 409. A claim
left by a request that died is taken over after a minute. Keys live 24 hours (TTL)."""
import hashlib
from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.domain import clock
from chalicelib.domain.clock import iso
from chalicelib.domain.errors import Conflict
from chalicelib.domain.idempotency import StoredAnswer
from chalicelib.store.models import IdempotencyItem, condition_failed

_LIFETIME = timedelta(hours=24)
_STALE_CLAIM = timedelta(minutes=1)


def _key(scope: str, key: str) -> tuple[str, str]:
    return f"IDEMP#{hashlib.sha256(f'{scope}|{key}'.encode()).hexdigest()}", "IDEMP"


def claim(scope: str, key: str) -> StoredAnswer | None:
    """None: ours to run. A StoredAnswer: the first request's answer, to send again."""
    for _ in range(3):  # the holder may release the key between our two reads: then try again
        now: datetime = clock.now()
        item = IdempotencyItem(*_key(scope, key), status="in_progress", at=iso(now),
                               expires_at=int((now + _LIFETIME).timestamp()))
        takeover = (IdempotencyItem.status == "in_progress") & (IdempotencyItem.at < iso(now - _STALE_CLAIM))
        try:
            item.save(condition=IdempotencyItem.PK.does_not_exist() | takeover)
            return None
        except PutError as error:
            if not condition_failed(error):
                raise
        try:
            stored = IdempotencyItem.get(*_key(scope, key), consistent_read=True)
        except IdempotencyItem.DoesNotExist:
            continue
        if stored.status == "done":
            return StoredAnswer(int(stored.response_status), stored.response_body or "")
        break
    raise Conflict("A request with this Idempotency-Key is still being processed; retry in a moment.")


def complete(scope: str, key: str, status: int, body: str) -> None:
    IdempotencyItem(*_key(scope, key)).update(actions=[
        IdempotencyItem.status.set("done"), IdempotencyItem.response_status.set(status),
        IdempotencyItem.response_body.set(body)])


def release(scope: str, key: str) -> None:
    """The request failed: the key is free for a retry."""
    try:
        IdempotencyItem(*_key(scope, key)).delete(condition=IdempotencyItem.status == "in_progress")
    except DeleteError as error:
        if not condition_failed(error):
            raise
