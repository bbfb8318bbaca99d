"""Identifiers are ULIDs: unique, and sortable by creation time."""


def new_id() -> str:
    from ulid import ULID  # on first use: not every cold start makes an id

    return str(ULID())


def derived_id(at_ms: int, *seed: object) -> str:
    """A ULID made of a time and a hash of `seed`: the same inputs give the same id, so a redone
    step writes the same items again instead of new ones."""
    import hashlib

    from ulid import ULID

    digest = hashlib.sha256("\x1f".join(map(str, seed)).encode()).digest()
    return str(ULID.from_bytes(at_ms.to_bytes(6, "big") + digest[:10]))
