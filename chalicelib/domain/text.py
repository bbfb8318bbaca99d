"""Text folding shared by sorting and searching: case-, accent- and script-insensitive, so staff find
what they type on any keyboard ('lukasz' finds Łukasz, 'soren' finds Søren, 'aeble' finds Æble)."""
import unicodedata


def legacy_fold(text: str) -> str:
    """The fold of search entries and list keys written before transliteration: case folded, accents
    stripped, every other letter kept ('Łukasz' -> 'łukasz', 'Søren' -> 'søren'). `fold` builds on it;
    by itself only the search re-index job (services/search_reindex.py) uses it, to tell which stored
    records the transliteration changes and which of their old entries to delete."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """'Müller' -> 'muller'; 'Straße' -> 'strasse'; 'Łukasz' -> 'lukasz'; 'Æble' -> 'aeble'; '北京' ->
    'beijing'. Plain ASCII, lower case. Used for sort keys and search terms.

    Letter by letter (a substring's fold is a substring of the whole's fold, which search relies on):
    the legacy fold, then anyascii's transliteration of what is left outside ASCII. anyascii is
    loaded on the first such text only (it is small; most text is ASCII after the legacy fold)."""
    stripped = legacy_fold(text)
    if stripped.isascii():
        return stripped.lower()
    from anyascii import anyascii

    return anyascii(stripped).lower()


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: the guard key uses this form."""
    return email.strip().lower()
