"""What shoppers and staff send about carts: validated, unknown fields refused. Never a price."""
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from chalicelib.domain.addresses import AddressFields
from chalicelib.domain.base import Changes, Input, ListQuery
from chalicelib.domain.customer_inputs import Email
from chalicelib.domain.order_inputs import Attribution, PaymentMethod, Quantity
from chalicelib.domain.product_inputs import Sku
from chalicelib.domain.store_settings import DeliveryCode

CouponCode = Annotated[str, Field(min_length=1, max_length=40)]
Frequency = Literal["weekly", "every_2_weeks", "monthly", "every_2_months", "quarterly"]


class NewCart(Input):
    attribution: Attribution = Attribution()


class CartItemInput(Input):
    """A price a client sends along (storefronts often echo the line they show) is ignored: lines are
    priced from the catalogue. Any other unknown field is a 422."""

    sku: Sku
    quantity: Quantity
    unit_price: Any = Field(default=None, exclude=True)
    price: Any = Field(default=None, exclude=True)
    total: Any = Field(default=None, exclude=True)


class QuantityInput(Input):
    quantity: Quantity


class Schedule(Input):
    """Deliver once, or a subscription renewed at `frequency` from checkout on."""

    kind: Literal["once", "recurring"]
    frequency: Frequency | None = None

    @model_validator(mode="after")
    def _frequency_for_recurring(self):
        if (self.kind == "recurring") != (self.frequency is not None):
            raise ValueError("a recurring schedule needs a frequency; a one-time one has none")
        return self


class CartChanges(Changes):
    """Staff (and shoppers, for the coupon) change a cart: only the fields sent change; null removes
    the schedule."""

    NULLABLE = ("schedule",)

    coupon: CouponCode | None = None
    remove_coupon: bool = False
    schedule: Schedule | None = None
    attribution: Attribution | None = None


class CouponInput(Input):
    code: CouponCode


class StaffCheckout(Input):
    shipping_address: AddressFields | None = None  # the customer's default shipping address if not given
    billing_address: AddressFields | None = None
    delivery_method: DeliveryCode | None = None  # an active one of the store's; None: its first active one
    payment_method: PaymentMethod


class Checkout(StaffCheckout):
    email: Email | None = None  # required for a guest cart


class CheckoutLinkRequest(Input):
    expires_in_hours: Annotated[int, Field(ge=1, le=168)] = 72
    send_email: bool = False


class CartQuery(ListQuery):
    state: Literal["open", "abandoned"] = "open"
