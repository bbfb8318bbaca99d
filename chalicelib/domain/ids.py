"""Identifiers are ULIDs: unique, and sortable by creation time."""


def new_id() -> str:
    from ulid import ULID  # on first use: not every cold start makes an id

    return str(ULID())
