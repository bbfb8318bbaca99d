"""Staff's versions of the email templates: one small document each, `EMAILTPL/<template name>`.

They are DocumentItems (the table's configuration records), not an item type of their own: the stream
function deserialises every changed item through TableItem, and a type defined outside models.py
would be unknown there unless this module happened to be imported first. One partition: the list of
templates reads every override with one Query; a send reads its template's with one GetItem."""
from chalicelib.domain.mail import TemplateOverride
from chalicelib.store import documents

_COLLECTION = "EMAILTPL"


def get(name: str) -> TemplateOverride | None:
    body = documents.get(_COLLECTION, name)
    return TemplateOverride.from_stored(body) if body else None


def all_overrides() -> dict[str, TemplateOverride]:
    return {o.name: o for o in (TemplateOverride.from_stored(body) for body in documents.all_of(_COLLECTION))}


def save(override: TemplateOverride) -> TemplateOverride:
    documents.put(_COLLECTION, override.name, override.model_dump(mode="json"))
    return override
