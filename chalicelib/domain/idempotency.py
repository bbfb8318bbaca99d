"""Idempotency keys of creating requests: a repeat of a request with its key gets the first answer."""
from dataclasses import dataclass


@dataclass
class StoredAnswer:
    """The first request's answer, as sent: status and JSON body."""

    status: int
    body: str
