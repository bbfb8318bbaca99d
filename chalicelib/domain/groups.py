"""Customer groups. `Default` and `Guests` always exist and cannot be deleted; custom groups (VIP...)
carry a discount_percent privilege that carts apply."""
import re
from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.domain.base import Changes, Input, Record
from chalicelib.domain.customer_inputs import Name
from chalicelib.domain.customers import DEFAULT_GROUP_ID, GUESTS_GROUP_ID
from chalicelib.domain.text import fold

Percent = Annotated[int, Field(ge=0, le=100)]


class Group(Record):
    id: str
    name: str = ""  # a group stored without a name (before names were required) is shown nameless, so it can be renamed
    discount_percent: int = 0
    is_default: bool = False  # new registered customers join it (store setting default_group_id)
    built_in: bool = False


BUILT_IN = {
    DEFAULT_GROUP_ID: Group(id=DEFAULT_GROUP_ID, name="Default", built_in=True),
    GUESTS_GROUP_ID: Group(id=GUESTS_GROUP_ID, name="Guests", built_in=True),
}


class GroupDraft(Input):
    name: Name
    discount_percent: Percent = 0


class GroupChanges(Changes):
    name: Name | None = None
    discount_percent: Percent | None = None


def group_id_for(name: str) -> str:
    """A readable id from the name: 'VIP clients' -> 'vip-clients'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:60]
    return slug or "group"


GroupIdParam = Annotated[str, StringConstraints(max_length=64)]
