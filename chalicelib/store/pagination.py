"""Opaque page tokens: url-safe base64 of DynamoDB's LastEvaluatedKey. A garbage token is a 400."""
import base64
import binascii
import json

from chalicelib.domain.errors import BadRequest
from chalicelib.domain.pages import Page


def encode_token(last_evaluated_key: dict | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, key_names: set[str]) -> dict | None:
    """Back to an ExclusiveStartKey; it must name exactly the keys of the index being read."""
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise BadRequest("next_token is not a valid page token.") from None
    valid = (
        isinstance(key, dict)
        and set(key) == key_names
        and all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values())
    )
    if not valid:
        raise BadRequest("next_token is not a valid page token.")
    return key


def newest_first(model, partition: str, prefix: str, limit: int, next_token: str | None, convert) -> Page:
    """One page of the items of `partition` whose sort key starts with `prefix` (ULIDs: newest first),
    read consistently, each turned into a domain record by `convert`."""
    start = decode_token(next_token, {"PK", "SK"})
    result = model.query(partition, model.SK.startswith(prefix), scan_index_forward=False, limit=limit,
                         last_evaluated_key=start, consistent_read=True)
    return Page(items=[convert(item) for item in result], next_token=encode_token(result.last_evaluated_key))


def one_request(model, result) -> tuple[list, str | None]:
    """The items of ONE DynamoDB request of a filtered query (issued with page_size=limit) and the
    token to go on. A filter applies after DynamoDB's Limit, so reads stay bounded by the page size
    however few entries match; PynamoDB's own iteration would read on until `limit` matched."""
    page = next(result.page_iter, None)
    items = [model.from_raw_data(raw) for raw in page["Items"]] if page else []
    return items, encode_token(result.page_iter.last_evaluated_key)
