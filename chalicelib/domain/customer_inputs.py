"""What clients send about customers: validated (pydantic), unknown fields refused."""
import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints, model_validator

from chalicelib.domain.base import Changes, Input
from chalicelib.domain.customers import CustomerStatus

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")


def _plain_text(value: str) -> str:
    if "<" in value or ">" in value:
        raise ValueError("must be plain text (no '<' or '>')")
    return value


def _phone(value: str) -> str:
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 6 <= digits <= 15:
        raise ValueError("must be a phone number: digits, spaces, + ( ) . - (6 to 15 digits)")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(_plain_text)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_plain_text)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(_phone)]
Comment = Annotated[str, StringConstraints(max_length=2000)]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
GroupId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Tag = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
                StringConstraints(pattern=r"^[a-z0-9][a-z0-9 _-]{0,39}$")]
CustomValues = Annotated[dict[str, Any], Field(max_length=50)]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]


class CustomerDraft(Input):
    """What staff give to create a customer by hand (no account, no password)."""

    email: Email
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool = False
    comment: Comment = ""
    status: Annotated[str, Field(pattern="^(active|inactive|blocked)$")] = CustomerStatus.ACTIVE
    group_id: GroupId | None = None
    tags: Annotated[list[Tag], Field(max_length=40)] = []  # with the search entries: one transaction
    custom_fields: CustomValues = {}


class ProfileChanges(Changes):
    """What shoppers may change on their own record: only the fields sent are changed; null clears
    the phone or the company."""

    NULLABLE = ("phone", "company")

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    company: OptionalText | None = None
    accepts_marketing: bool | None = None


class CustomerChanges(ProfileChanges):
    """What staff may change: the profile, plus email, internal comment, status, group, custom fields
    (a custom field's value null removes it)."""

    email: Email | None = None
    comment: Comment | None = None
    status: Annotated[str, Field(pattern="^(active|inactive|blocked|pending)$")] | None = None
    group_id: GroupId | None = None
    custom_fields: CustomValues | None = None


class Registration(Input):
    """A shopper creating an account on the storefront."""

    email: Email
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    accepts_marketing: bool = False
    custom_fields: CustomValues = {}


class Credentials(Input):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(max_length=200)]
    # A guest cart to take along: it becomes the customer's cart, or joins their open one.
    cart_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    cart_token: Annotated[str, StringConstraints(max_length=200)] | None = None


class CustomerQuery(Input):
    """GET /admin/customers: search, filters, paging. Dates are YYYY-MM-DD (inclusive, UTC)."""

    q: Annotated[str, StringConstraints(max_length=100)] | None = None
    address: Annotated[str, StringConstraints(max_length=100)] | None = None
    group: Annotated[str, StringConstraints(max_length=64)] | None = None
    tag: Tag | None = None
    status: Annotated[str, Field(pattern="^(active|inactive|blocked|pending)$")] | None = None
    registered: bool | None = None
    has_orders: bool | None = None
    created_from: Day | None = None
    created_to: Day | None = None
    last_order_from: Day | None = None
    last_order_to: Day | None = None
    custom_field: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}:.{1,100}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    next_token: Annotated[str, StringConstraints(max_length=2048)] | None = None

    @model_validator(mode="after")
    def _ranges(self):
        for start, end in (("created_from", "created_to"), ("last_order_from", "last_order_to")):
            first, last = getattr(self, start), getattr(self, end)
            if first is not None and last is not None and first > last:
                raise ValueError(f"{start} is after {end}")
        return self


class TagInput(Input):
    tag: Tag


class VerificationInput(Input):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
