"""Text folding shared by sorting and searching: case- and accent-insensitive."""
import unicodedata


def fold(text: str) -> str:
    """'Müller' -> 'muller'; 'ß' -> 'ss'. Used for sort keys and search terms."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: the guard key uses this form."""
    return email.strip().lower()
