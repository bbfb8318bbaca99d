"""A page of a list: its items and the opaque token of the next page (None: the last page)."""
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_token: str | None
