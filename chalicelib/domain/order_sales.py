"""An order's part in the ordered-products figures (the sales per sku and day kept beside the orders):
what a change of an order moves, and what a day holds. Small records the stream's writer and the
report's reader share without loading the order's own model."""
from dataclasses import dataclass


@dataclass
class SalesChange:
    """One sku's change in the sales figures of the order's day (the ordered-products report's items)."""

    sku: str
    name: str
    quantity: int
    revenue: int
    listed: bool | None  # True: the order now appears under the sku; False: no longer; None: as before


@dataclass(frozen=True)
class OrderSales:
    """An order change's sales per sku on the order's (UTC) creation day: what the ordered products add up."""

    order_id: str
    day: str
    changes: list[SalesChange]


@dataclass
class SkuSales:
    """A sku's sales on one day, as kept with the orders (the ordered-products report adds them up)."""

    sku: str
    name: str
    quantity: int
    revenue: int
    order_ids: set[str]
