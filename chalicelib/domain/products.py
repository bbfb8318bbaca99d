"""The catalogue orders and carts need: products with a price in minor units, a status, suppliers."""
from dataclasses import dataclass, field


class ProductStatus:
    ACTIVE = "active"  # sold in the storefront
    DRAFT = "draft"  # being prepared: staff only
    ARCHIVED = "archived"  # no longer sold; kept for old orders


@dataclass
class Supplier:
    name: str
    price: int  # what the merchant pays, minor units


@dataclass
class Product:
    sku: str
    name: str
    price: int  # minor units of the store currency
    status: str
    created_at: str
    updated_at: str
    category: str | None = None
    brand: str | None = None
    stock: int | None = None  # None: not tracked
    suppliers: list[Supplier] = field(default_factory=list)
    version: int | None = field(default=None, metadata={"private": True})

    def cheapest_supplier(self) -> Supplier | None:
        return min(self.suppliers, key=lambda s: s.price, default=None)
