"""Search entries and tag items that follow records written without them (imports write a customer's
profile and address alone, marked pending): the stream completes them in bulk, once per batch."""
from chalicelib.store import search_index as repo


def index_changes(changes: list[tuple[str, dict | None, dict | None]]) -> int:
    """(event name, old image, new image) of a stream batch; returns how many records were indexed."""
    pending = [repo.pending(name, old, new) for name, old, new in changes]
    return repo.index([p for p in pending if p is not None])
