"""What staff (and, through checkout, shoppers) send about orders: validated, unknown fields refused.
Prices come from the catalogue; only staff may set another unit price on a line."""
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from chalicelib.domain.addresses import AddressFields
from chalicelib.domain.base import Changes, Input, ListQuery
from chalicelib.domain.customer_inputs import Email, Name, Phone
from chalicelib.domain.order_status import AXIS_OF
from chalicelib.domain.product_inputs import Money, Sku
from chalicelib.domain.store_settings import DeliveryCode

Quantity = Annotated[int, Field(ge=1, le=999, strict=True)]
PaymentMethod = Literal["card", "paypal", "wire_transfer", "cash_on_delivery"]
if TYPE_CHECKING:
    StatusName = str
else:
    StatusName = Literal[tuple(sorted(AXIS_OF))]  # any state name, of any axis
NoteText = Annotated[str, Field(min_length=1, max_length=2000)]


class GuestCustomer(Input):
    email: Email
    first_name: Name
    last_name: Name
    phone: Phone | None = None


class LineInput(Input):
    sku: Sku
    quantity: Quantity
    unit_price: Money | None = None  # staff only: another price than the catalogue's
    discount: Money = 0


class DiscountInput(Input):
    kind: Literal["percent", "fixed"]
    value: Annotated[int, Field(ge=0, le=10**9, strict=True)]
    code: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _percent_at_most_100(self):
        if self.kind == "percent" and self.value > 100:
            raise ValueError("a percent discount is at most 100")
        return self


class Attribution(Input):
    channel: Annotated[str, Field(max_length=40)] | None = None
    affiliate: Annotated[str, Field(max_length=80)] | None = None
    campaign: Annotated[str, Field(max_length=80)] | None = None


class OrderDraft(Input):
    """A manual order (e.g. taken on the phone): for a customer, or a guest."""

    customer_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    guest: GuestCustomer | None = None
    lines: Annotated[list[LineInput], Field(min_length=1, max_length=50)]
    billing_address: AddressFields | None = None
    shipping_address: AddressFields | None = None
    delivery_method: DeliveryCode | None = None  # an active one of the store's; None: its first active one
    payment_method: PaymentMethod
    shipping: Money | None = None  # the delivery method's fee unless given
    discount: DiscountInput | None = None
    is_test: bool = False
    attribution: Attribution = Attribution()
    # Admins only: when it was placed, in the past (an order taken earlier and entered now).
    placed_at: Annotated[AwareDatetime, Field(ge=datetime(2000, 1, 1, tzinfo=UTC))] | None = None

    @model_validator(mode="after")
    def _one_buyer(self):
        if (self.customer_id is None) == (self.guest is None):
            raise ValueError("give either customer_id or guest")
        if len({line.sku for line in self.lines}) != len(self.lines):
            raise ValueError("each sku at most once (give its total quantity)")
        return self


class StatusChange(Input):
    status: StatusName


class OrderChanges(Changes):
    """Changes to an order not shipped yet: only the fields sent change; null removes an address."""

    NULLABLE = ("billing_address", "shipping_address")

    billing_address: AddressFields | None = None
    shipping_address: AddressFields | None = None
    discount: DiscountInput | None = None
    remove_discount: bool = False
    shipping: Money | None = None
    delivery_method: DeliveryCode | None = None  # an active one of the store's


class LineChanges(Changes):
    quantity: Quantity | None = None
    unit_price: Money | None = None
    discount: Money | None = None


class NoteInput(Input):
    text: NoteText


Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2999, 12, 31))]


class DateRange(Input):
    from_: Annotated[Day | None, Field(alias="from")] = None
    to: Day | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("'from' is after 'to'")
        return self


class OrderQuery(ListQuery, DateRange):
    """Filters of the orders list; which index serves which is in docs/architecture.md. `status` takes
    any state name of any axis, as the status change does: `status=paid` filters the payment status."""

    status: StatusName | None = None
    payment_status: Literal["awaiting_payment", "awaiting_verification", "unpaid", "paid", "payment_failed",
                            "refunded"] | None = None
    fulfillment_status: Literal["unfulfilled", "processing", "shipped", "delivered", "returned"] | None = None
    customer_id: Annotated[str, Field(max_length=64)] | None = None
    q: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    delivery_method: DeliveryCode | None = None  # any of the store's methods, active or not
    payment_method: PaymentMethod | None = None
    is_test: bool | None = None

    @model_validator(mode="after")
    def _status_on_its_axis(self):
        axis = AXIS_OF[self.status] if self.status else "status"
        if axis != "status":
            if getattr(self, axis) not in (None, self.status):
                raise ValueError(f"status '{self.status}' and {axis} '{getattr(self, axis)}' cannot both hold")
            setattr(self, axis, self.status)
            self.status = None
        return self


class InvoiceQuery(ListQuery, DateRange):
    """Invoices issued in a date range, newest first."""


class OrderedProductsQuery(ListQuery, DateRange):
    """Skus sold in a date range, by revenue."""
