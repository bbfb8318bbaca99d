"""DynamoDB requests in its own JSON, for the bulk paths (imports, derived search entries): many items
per request, retried as AWS advises (exponential backoff with full jitter) when throttled or left
unprocessed. The one place these retries are written."""
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.settings import get_settings

_TRIES = 10
_PER_BATCH_WRITE = 25  # DynamoDB's limit
_THROTTLED = ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
              "InternalServerError")


def table_name() -> str:
    return get_settings().table_name


def pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(2.0, 0.05 * 2 ** attempt)))


def retrying(call: Callable[[], dict]) -> dict:
    """`call`, sent again when throttled or when a transaction was cancelled only by a concurrent one
    (TransactionConflict: nothing was written)."""
    for attempt in range(_TRIES):
        try:
            return call()
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reasons = {r.get("Code") for r in error.response.get("CancellationReasons", [])}
            retryable = code in _THROTTLED or (code == "TransactionCanceledException"
                                               and reasons <= {"None", "TransactionConflict", None})
            if not retryable or attempt == _TRIES - 1:
                raise
            pause(attempt)
    raise AssertionError("unreachable")


def batch_get(keys: list[dict]) -> list[dict]:
    """Items by key (consistent reads), 100 per BatchGetItem."""
    found: list[dict] = []
    for start in range(0, len(keys), 100):
        pending = {table_name(): {"Keys": keys[start:start + 100], "ConsistentRead": True}}
        attempt = 0
        while pending:
            reply = retrying(partial(client("dynamodb").batch_get_item, RequestItems=pending))
            found += reply["Responses"].get(table_name(), [])
            pending = reply.get("UnprocessedKeys") or {}
            if pending:
                attempt += 1
                pause(attempt)
    return found


def batch_write(requests: list[dict], threads: int = 1) -> None:
    """Puts and deletes in BatchWriteItems of 25 (`threads` at once), until none is left unprocessed."""
    chunks = [requests[start:start + _PER_BATCH_WRITE] for start in range(0, len(requests), _PER_BATCH_WRITE)]
    if threads > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(min(threads, len(chunks))) as pool:
            list(pool.map(_write_chunk, chunks))
        return
    for chunk in chunks:
        _write_chunk(chunk)


def _write_chunk(requests: list[dict]) -> None:
    pending = {table_name(): requests}
    for attempt in range(_TRIES):
        reply = retrying(partial(client("dynamodb").batch_write_item, RequestItems=pending))
        pending = reply.get("UnprocessedItems") or {}
        if not pending:
            return
        pause(attempt)
    raise RuntimeError("DynamoDB kept items unprocessed")
