"""What shoppers see: the response models of the /store routes (OWASP API3, excessive data exposure).

A /store route declares one of these as its `response`; the route layer serialises only the fields the
view declares (api.routing.shape), whatever the service returns. A field added to a staff record (a
product's suppliers, a cart's agent, a customer's tags) therefore never reaches a shopper until it is
added here, on purpose. The OpenAPI document shows these models with `additionalProperties: false`.
"""
from dataclasses import dataclass
from typing import Any, ClassVar


class ShopperView:
    """Marks a model as a shopper's view (tests check that every /store route answers with one)."""

    # pydantic's config for the OpenAPI schema (additionalProperties: false); a plain dict, so that
    # importing the views (route modules do, at a cold start) loads no validation library
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@dataclass
class ShopperProduct(ShopperView):
    sku: str
    name: str
    price: int
    category: str | None
    brand: str | None
    status: str


@dataclass
class ShopperAddressFields(ShopperView):
    line1: str
    city: str
    country: str
    name: str | None = None
    company: str | None = None
    line2: str | None = None
    region: str | None = None
    zip: str | None = None
    phone: str | None = None


@dataclass
class ShopperAddress(ShopperAddressFields):
    id: str = ""
    default_billing: bool = False
    default_shipping: bool = False


@dataclass
class ShopperCustomer(ShopperView):
    """A shopper's own record: no internal comment, tags, stats or test-order flag."""

    id: str
    email: str
    first_name: str
    last_name: str
    phone: str | None
    company: str | None
    accepts_marketing: bool
    status: str
    registered: bool
    email_verified: bool
    group_id: str  # their price group (its discount shows in their carts)
    custom_fields: dict
    default_billing_address_id: str | None
    default_shipping_address_id: str | None
    created_at: str
    updated_at: str


@dataclass
class ShopperContact(ShopperView):
    """Who an order or a checkout link is for, as the shopper gave it."""

    email: str | None
    first_name: str
    last_name: str
    phone: str | None = None


@dataclass
class ShopperAttribution(ShopperView):
    """Where a cart or order came from, less who on the staff prepared it."""

    channel: str | None = None
    affiliate: str | None = None
    campaign: str | None = None


@dataclass
class ShopperCartLine(ShopperView):
    sku: str
    name: str
    quantity: int
    unit_price: int
    total: int


@dataclass
class ShopperCart(ShopperView):
    id: str
    customer_id: str | None
    state: str
    lines: list[ShopperCartLine]
    coupon: str | None
    subtotal: int
    discount: int
    total: int
    quantity: int
    updated_at: str
    created_at: str
    schedule: dict | None
    attribution: ShopperAttribution
    order_id: str | None
    cart_token: str | None = None  # only in the answer that creates a guest cart


@dataclass
class ShopperOrderLine(ShopperView):
    sku: str
    name: str
    quantity: int
    unit_price: int
    discount: int
    total: int


@dataclass
class ShopperDiscount(ShopperView):
    kind: str
    value: int
    code: str | None = None


@dataclass
class ShopperOrder(ShopperView):
    """An order as its buyer sees it: no attribution, flags for staff or report bookkeeping."""

    id: str
    number: int
    customer_id: str | None
    customer: ShopperContact
    billing_address: ShopperAddressFields | None
    shipping_address: ShopperAddressFields | None
    delivery_method: str
    payment_method: str
    status: str
    payment_status: str
    fulfillment_status: str
    lines: list[ShopperOrderLine]
    order_discount: ShopperDiscount | None
    subtotal: int
    discount: int
    shipping: int
    total: int
    currency: str
    invoice_number: int | None
    created_at: str
    updated_at: str
    delivery_method_name: str | None = None


@dataclass
class ShopperToken(ShopperView):
    token: str


@dataclass
class ShopperCheckoutLink(ShopperView):
    """An opened checkout link: a customer token, the cart and the customer's saved details."""

    customer_token: str
    cart: ShopperCart
    customer: ShopperContact
    billing_address: ShopperAddressFields | None
    shipping_address: ShopperAddressFields | None
