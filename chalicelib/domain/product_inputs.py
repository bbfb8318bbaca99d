"""What staff send about products: validated (pydantic), unknown fields refused."""
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.domain.base import Changes, Input, ListQuery
from chalicelib.domain.customer_inputs import Name, OptionalText

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Money = Annotated[int, Field(ge=0, le=10**9, strict=True)]  # minor units: never a float
Stock = Annotated[int, Field(ge=0, le=10**7, strict=True)]
ProductName = Annotated[Name, StringConstraints(max_length=200)]
Status = Literal["active", "draft", "archived"]


class SupplierInput(Input):
    name: Name
    price: Money


class ProductDraft(Input):
    sku: Sku
    name: ProductName
    price: Money
    category: OptionalText | None = None
    brand: OptionalText | None = None
    status: Status = "active"
    stock: Stock | None = None
    suppliers: Annotated[list[SupplierInput], Field(max_length=20)] = []


class ProductChanges(Changes):
    """Null clears the category, the brand or the stock (no longer tracked); [] removes the suppliers."""

    NULLABLE = ("category", "brand", "stock")
    name: ProductName | None = None
    price: Money | None = None
    category: OptionalText | None = None
    brand: OptionalText | None = None
    status: Status | None = None
    stock: Stock | None = None
    suppliers: Annotated[list[SupplierInput], Field(max_length=20)] | None = None


class ProductQuery(ListQuery):
    """Staff look products up by sku or by the start of their name (agents filling a cart)."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
