"""A page of a list: its items and the opaque token of the next page (None: the last page).

Lists read from an index page with DynamoDB's LastEvaluatedKey (store/pagination.py). A list that is
read whole (a small collection, an aggregate summed in memory) pages by offset: the token says where
the next page starts, so every list takes the same `limit` and `next_token`."""
import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.domain.errors import BadRequest

T = TypeVar("T")
PAGE_SIZE, MAX_PAGE_SIZE, MAX_TOKEN_CHARS = 50, 200, 2048  # every list's ?limit= and ?next_token=


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


def offset_of(token: str | None) -> int:
    """Where the page of an offset token starts; no token: the first page. Garbage is a 400."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise BadRequest("next_token is not a valid page token.") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BadRequest("next_token is not a valid page token.")
    return offset


def offset_token(offset: int | None) -> str | None:
    if offset is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def page_in_memory(items: Sequence[T], limit: int, next_token: str | None) -> Page[T]:
    """One page of a list read whole, in its order."""
    start = offset_of(next_token)
    end = start + limit
    return Page(items=list(items[start:end]), next_token=offset_token(end) if end < len(items) else None)
