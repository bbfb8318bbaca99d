"""The merchant's store settings (one record per store), and the changes staff may make to them."""
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field

from chalicelib.domain.base import Changes, Input, Record


class Invoicing(Input):
    enabled: bool = False
    issue_for: Literal["all", "companies"] = "all"


def _time_zone(name: str) -> str:
    """An IANA time zone name ("Europe/Paris"), as the time zone database knows it."""
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        raise ValueError("an IANA time zone name, e.g. Europe/Paris") from None
    return name


# The store's days (reports, the nightly files) are days in this zone.
TimeZone = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+\-/]*$"),
                     AfterValidator(_time_zone)]


class StoreSettings(Record):
    abandoned_cart_delay_minutes: Annotated[int, Field(ge=30, le=180)] = 60
    require_email_verification: bool = False
    auto_validate_accounts: bool = True
    default_group_id: str = "default"
    invoicing: Invoicing = Invoicing()
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "EUR"
    unpaid_order_cancel_hours: Annotated[int, Field(ge=1, le=720)] = 48  # online orders left unpaid
    timezone: TimeZone = "UTC"


class SettingsChanges(Changes):
    abandoned_cart_delay_minutes: Annotated[int, Field(ge=30, le=180)] | None = None
    require_email_verification: bool | None = None
    auto_validate_accounts: bool | None = None
    default_group_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    invoicing: Invoicing | None = None
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] | None = None
    unpaid_order_cancel_hours: Annotated[int, Field(ge=1, le=720)] | None = None
    timezone: TimeZone | None = None
