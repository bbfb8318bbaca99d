"""Partial search without a Scan: trigram index.

Each customer is indexed under the distinct trigrams of its folded searchable text (names, email,
phone digits); addresses likewise. A search reads ONE trigram's partition (the rarest trigram of the
query, by letter frequency) and keeps entries whose text contains the whole query, so it reads about
as many entries as share that trigram, not the whole customer base.
"""
import re
from collections.abc import Callable

from chalicelib.domain.text import fold

MAX_GRAMS = 45  # with an update's deletes + puts, a customer write stays within one transaction
MIN_QUERY = 3
_NON_PHONE = re.compile(r"[^0-9+()./ -]")
# Rough letter frequencies (percent) in European names and addresses: rarer letters narrow more.
_FREQ = dict(zip("eainorstlcdumhgpbkfvywzjxq", [12, 10, 9, 8, 8, 7, 6, 6, 5, 4, 4, 4, 3, 3, 2, 2, 2, 1.5, 1.5, 1, 1, 1, 0.7, 0.5,
                                                0.3, 0.2],
                 strict=True))


def trigrams(text: str) -> list[str]:
    """Distinct trigrams in order of appearance."""
    seen: dict[str, None] = {}
    for i in range(len(text) - 2):
        seen.setdefault(text[i:i + 3], None)
    return list(seen)


def digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def searchable(parts: list[str]) -> tuple[str, list[str]]:
    """The text an entry is matched against ('|' between parts, so no match spans two) and the
    trigrams it is indexed under: parts in priority order, capped at MAX_GRAMS."""
    grams: dict[str, None] = {}
    for part in parts:
        for gram in trigrams(part):
            grams.setdefault(gram, None)
    return "|".join(parts), list(grams)[:MAX_GRAMS]


def customer_searchable(first_name: str, last_name: str, email: str, phone: str | None,
                        folding: Callable[[str], str] = fold) -> tuple[str, list[str]]:
    """Found by name ('joanna muller'), phone digits, then email (long emails are cut first).
    `folding`: the re-index job asks what entries the legacy fold made."""
    return searchable([f"{folding(first_name)} {folding(last_name)}", digits(phone), folding(email)])


def address_searchable(*fields: str | None, folding: Callable[[str], str] = fold) -> tuple[str, list[str]]:
    return searchable([folding(f) for f in fields if f])


def is_outdated_gram(gram: str) -> bool:
    """A trigram today's fold cannot produce (its output is folded already, so folding it again
    changes nothing): an entry under it was written with the legacy fold, and no query reads it."""
    return fold(gram) != gram


def normalize_query(query: str) -> str | None:
    """The needle to look for, or None if it is too short. A query made of phone characters with
    3+ digits searches by digits ('887 12' finds '+359 887 123 456')."""
    if not _NON_PHONE.search(query) and len(digits(query)) >= MIN_QUERY:
        return digits(query)
    needle = " ".join(fold(query).split())
    return needle if len(needle) >= MIN_QUERY else None


def rarest_gram(needle: str) -> str:
    """The trigram of the needle expected to have the fewest entries."""
    return min(trigrams(needle), key=lambda g: sum(_FREQ.get(c, 0.1) for c in g))
