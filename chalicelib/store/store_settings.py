"""Store settings: one record `SETTINGS/STORE`. Absent until first changed: defaults apply."""
from chalicelib.domain.store_settings import StoreSettings
from chalicelib.store import documents


def get() -> StoreSettings:
    return StoreSettings.from_stored(documents.get("SETTINGS", "STORE") or {})


def save(settings: StoreSettings) -> StoreSettings:
    documents.put("SETTINGS", "STORE", settings.model_dump(mode="json"))
    return settings
