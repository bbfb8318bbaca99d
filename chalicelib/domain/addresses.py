"""Customer addresses. At most one default billing and one default shipping address per customer."""
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, StringConstraints

from chalicelib.domain.base import Changes, Input
from chalicelib.domain.customer_inputs import Name, OptionalText, Phone

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Country = Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                    StringConstraints(pattern=r"^[A-Z]{2}$")]
Zip = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class AddressFields(Input):
    name: Name | None = None
    company: OptionalText | None = None
    line1: Line
    line2: OptionalLine | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    region: OptionalText | None = None
    zip: Zip | None = None
    country: Country
    phone: Phone | None = None


class _WithDefaults(AddressFields):
    default_billing: bool = False
    default_shipping: bool = False

    def fields(self) -> AddressFields:
        """The address itself, without the default flags (those live on the customer)."""
        return AddressFields(**self.model_dump(exclude={"id", "default_billing", "default_shipping"}))


class AddressDraft(_WithDefaults):
    pass


class AddressChanges(Changes):
    """Null clears an optional part of the address."""

    NULLABLE = ("name", "company", "line2", "region", "zip", "phone")
    name: Name | None = None
    company: OptionalText | None = None
    line1: Line | None = None
    line2: OptionalLine | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    region: OptionalText | None = None
    zip: Zip | None = None
    country: Country | None = None
    phone: Phone | None = None
    default_billing: bool | None = None
    default_shipping: bool | None = None


class Address(_WithDefaults):
    model_config = ConfigDict(extra="ignore")
    id: str
