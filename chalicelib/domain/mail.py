"""Emails as an outbox: queued in the transaction of the change that causes them, sent afterwards.

Templates: defaults ship as files (chalicelib/notify/templates); staff may disable one or replace its
subject, text body or HTML body (TemplateOverride). A template's context is the keyword arguments
given to `queue_mail`; `sample_contexts` are the contexts staff-written templates are tried against."""
from typing import Annotated

from pydantic import Field, model_validator

from chalicelib.domain.base import Changes, Record
from chalicelib.domain.clock import utc_now
from chalicelib.domain.ids import new_id


class MailStatus:
    QUEUED = "queued"  # written with the change; the stream handler sends it
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # the send failed; the stream retries it
    SKIPPED = "skipped"  # its template is disabled: not sent, and never retried


class QueuedMail(Record):
    id: str
    customer_id: str
    template: str
    context: dict
    at: str


class MailLogEntry(Record):
    """A line of the customer's Emails tab."""

    id: str
    template: str
    subject: str
    status: str
    at: str


def queue_mail(customer_id: str, template: str, **context) -> QueuedMail:
    return QueuedMail(id=new_id(), customer_id=customer_id, template=template, context=context, at=utc_now())


# Context of every order template: order=<order dict, see SAMPLE_ORDER>, customer={first_name, last_name}.
ORDER_TEMPLATES = ("order_received", "payment_received", "wire_transfer_instructions", "order_shipped",
                   "order_delivered", "order_cancelled", "order_refunded")
ACCOUNT_TEMPLATES = ("welcome", "verify_email")
# Context: cart={id, lines [{sku, name, quantity, unit_price, total}], total, currency}, link, customer;
# checkout_link also expires_at.
CART_TEMPLATES = ("cart_reminder", "checkout_link")

# What GET /admin/email-templates lists, in this order.
TEMPLATE_DESCRIPTIONS = {
    "welcome": "Sent when a shopper registers an account.",
    "verify_email": "Asks a shopper to confirm their email address (a single-use link).",
    "order_received": "Confirms a new order to the customer, with its lines and totals.",
    "payment_received": "Tells the customer their payment arrived.",
    "wire_transfer_instructions": "How to pay an order by wire transfer: amount, reference, bank details.",
    "order_shipped": "Tells the customer their order left the warehouse.",
    "order_delivered": "Tells the customer their order was delivered.",
    "order_cancelled": "Tells the customer their order was cancelled.",
    "order_refunded": "Tells the customer their payment was refunded.",
    "cart_reminder": "Reminds a customer of the cart they left, with a link back to it.",
    "checkout_link": "Sends a customer the cart staff prepared, with a link that logs them in to pay.",
}

TEMPLATE_PARTS = ("subject", "body", "html")  # body: the text/plain part; html: the text/html part


class TemplateOverride(Record):
    """Staff's changes to a template. A part left None is the default file's."""

    name: str
    enabled: bool = True
    subject: str | None = None
    body: str | None = None
    html: str | None = None
    updated_at: str
    updated_by: str

    @property
    def customized(self) -> bool:
        return any(getattr(self, part) is not None for part in TEMPLATE_PARTS)


class EmailTemplate(Record):
    """A template as staff see it: the parts in force (staff's, else the default files')."""

    name: str
    description: str
    enabled: bool
    subject: str
    body: str
    html: str
    customized: bool  # a part differs from the default files
    updated_at: str | None = None
    updated_by: str | None = None


Text = Annotated[str, Field(min_length=1, max_length=30_000)]


class TemplateChanges(Changes):
    """PATCH /admin/email-templates/{name}: at least one field. A part set to null goes back to the default."""

    NULLABLE = TEMPLATE_PARTS

    enabled: bool | None = None
    subject: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    body: Text | None = None
    html: Text | None = None

    @model_validator(mode="after")
    def _something_to_change(self):
        if not self.model_fields_set:
            raise ValueError("Give at least one of enabled, subject, body, html.")
        return self

    def apply_to(self, current: TemplateOverride | None, name: str, at: str, actor: str) -> TemplateOverride:
        base = current or TemplateOverride(name=name, updated_at=at, updated_by=actor)
        return base.model_copy(update={**self.model_dump(exclude_unset=True), "updated_at": at, "updated_by": actor})


def money(cents: int, currency: str = "") -> str:
    """Minor units as an amount: money(1250, "EUR") == "12.50 EUR"."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units}.{rest:02d} {currency}".rstrip()


SAMPLE_CUSTOMER = {"first_name": "Ann", "last_name": "Smith"}
SAMPLE_ORDER = {
    "id": "01JBSAMPLEORDER0000000000", "number": 1042, "status": "open", "payment_status": "paid",
    "fulfillment_status": "shipped", "payment_method": "card", "delivery_method": "standard", "currency": "EUR",
    "subtotal": 3750, "discount": 375, "shipping": 490, "total": 3865,
    "lines": [{"sku": "MUG-01", "name": "Enamel mug", "quantity": 3, "unit_price": 1250, "discount": 0, "total": 3750}],
    "shipping_address": {"name": "Ann Smith", "company": None, "line1": "221B Baker Street", "line2": None,
                         "city": "London", "region": None, "zip": "NW1 6XE", "country": "GB", "phone": None},
    "created_at": "2026-11-02T09:00:00.000Z",
}
_ACCOUNT_SAMPLES: dict[str, dict] = {
    "welcome": {"first_name": "Ann", "email": "ann.smith@example.com"},
    "verify_email": {"first_name": "Ann", "link": "https://shop.example.com/store/verify-email?token=sample"},
}
SAMPLE_CART = {"id": "01JBSAMPLECART00000000000", "currency": "EUR", "total": 2500,
               "lines": [{"sku": "MUG-01", "name": "Enamel mug", "quantity": 2, "unit_price": 1250, "total": 2500}]}
_CART_SAMPLES: dict[str, dict] = {
    "cart_reminder": {"cart": SAMPLE_CART, "customer": SAMPLE_CUSTOMER, "link": "https://shop.example.com/store/carts/x"},
    "checkout_link": {"cart": SAMPLE_CART, "customer": SAMPLE_CUSTOMER, "link": "https://shop.example.com/store/checkout-links/x",
                      "expires_at": "2026-11-05T09:00:00.000Z"},
}


def sample_contexts(template: str) -> list[dict]:
    """Contexts a template must render with: order templates also with an order that ships nowhere."""
    if template in ORDER_TEMPLATES:
        pickup = {**SAMPLE_ORDER, "delivery_method": "pickup", "shipping": 0, "total": 3375, "shipping_address": None}
        return [{"order": SAMPLE_ORDER, "customer": SAMPLE_CUSTOMER}, {"order": pickup, "customer": SAMPLE_CUSTOMER}]
    return [{**_ACCOUNT_SAMPLES, **_CART_SAMPLES}.get(template, {})]
