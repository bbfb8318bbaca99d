"""PynamoDB models of the single table. One base model, one subclass per item type."""
from typing import Protocol, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class Gsi4(GlobalSecondaryIndex):
    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Every item of the table: keys, sparse index keys and a type discriminator."""

    class Meta:
        table_name = get_settings().table_name
        max_retry_attempts = 3

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)
    item_type = DiscriminatorAttribute(attr_name="type")
    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    gsi4 = Gsi4()


class CustomerItem(TableItem, discriminator="customer"):
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    accepts_marketing = BooleanAttribute(default=False)
    status = UnicodeAttribute()
    registered = BooleanAttribute(default=False)
    email_verified = BooleanAttribute(default=False)
    group_id = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    custom_fields = JSONAttribute(default=dict)
    comment = UnicodeAttribute(null=True)
    has_test_orders = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    order_count = NumberAttribute(default=0)
    total_spent = NumberAttribute(default=0)
    last_order_at = UnicodeAttribute(null=True)
    default_billing_address_id = UnicodeAttribute(null=True)
    default_shipping_address_id = UnicodeAttribute(null=True)
    guest_order_id = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    verification_sent_at = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    # Its search entries and tag items are written by the stream, not with it (store/search_index.py):
    # imported profiles, and guest entries (an order's transaction has no room for them).
    index_pending = BooleanAttribute(null=True)
    version = VersionAttribute()


class ExternalIdItem(TableItem, discriminator="external_id"):
    """`EXTID#<id>`: the customer known by this id on the platform they were imported from (orders
    imported later find their customer by it)."""

    customer_id = UnicodeAttribute()


class EmailGuardItem(TableItem, discriminator="email_guard"):
    """Makes an email unique: created in the same transaction as the customer that owns it."""

    customer_id = UnicodeAttribute()


class OrderSummaryItem(TableItem, discriminator="order_summary"):
    """An order as the customer's history card shows it (lives in the customer's partition)."""

    id = UnicodeAttribute()
    number = NumberAttribute(null=True)
    total = NumberAttribute(default=0)
    status = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    # What this order adds to the customer's stats now (kept so a change applies the difference once).
    counted = BooleanAttribute(default=True)
    counted_total = NumberAttribute(default=0)


class TimelineEventItem(TableItem, discriminator="timeline_event"):
    id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    data = JSONAttribute(default=dict)


class JobItem(TableItem, discriminator="job"):
    """A background job (import, export...): options, counts, and the checkpoint of its last step."""

    id = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    details = JSONAttribute(default=dict)  # options, columns, preview, mapping, counts, errors...
    seq = NumberAttribute(default=0)  # steps committed: each step's commit is conditioned on it
    attempts = NumberAttribute(default=0)  # tries of the current step
    lease_owner = UnicodeAttribute(null=True)  # the invocation running it (or a hand-off token)
    lease_until = UnicodeAttribute(null=True)
    cancel_requested = BooleanAttribute(default=False)  # staff's; never overwritten by a step's commit
    version = VersionAttribute()


class JobSeenEmailItem(TableItem, discriminator="job_seen_email"):
    """A dry run's mark: the row where an email was first met in the file (later rows would update)."""

    row = NumberAttribute()
    expires_at = NumberAttribute(null=True)


class JobRowErrorItem(TableItem, discriminator="job_row_error"):
    """A rejected row of an import: the merchant's own cells and the reason (the error file's line)."""

    row = NumberAttribute()
    cells = ListAttribute(of=UnicodeAttribute, default=list)
    message = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class MailLogItem(TableItem, discriminator="mail_log"):
    """One email to a customer: queued in the transaction of the change that causes it (an outbox),
    sent by the stream handler, and kept as the customer's Emails tab."""

    id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    template = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    status = UnicodeAttribute()  # queued, sending, sent, failed
    at = UnicodeAttribute()
    context = JSONAttribute(null=True)  # what the template needs; dropped once sent


class SearchEntryItem(TableItem, discriminator="search_entry"):
    """A customer (or one of its addresses) under one trigram of its searchable text."""

    customer_id = UnicodeAttribute()
    text = UnicodeAttribute()


class TagItem(TableItem, discriminator="tag"):
    customer_id = UnicodeAttribute()
    tag = UnicodeAttribute()


class VerificationItem(TableItem, discriminator="email_verification"):
    """A single-use email verification token, stored by its hash; expires_at is the TTL."""

    customer_id = UnicodeAttribute()
    expires_at = NumberAttribute()


_connection: Connection | None = None


def transact_write() -> TransactWrite:
    """A write transaction on the table's connection (created once per process)."""
    global _connection
    if _connection is None:
        _connection = Connection(max_retry_attempts=TableItem.Meta.max_retry_attempts)
    return TransactWrite(connection=_connection)


class _Versioned(Protocol):
    version: int


Versioned = TypeVar("Versioned", bound=_Versioned)


def unchecked_version(key: Versioned) -> Versioned:
    """A key to update with `add_version_condition=False`: the write then bumps the stored version
    (ADD 1) without checking it. Left at None, PynamoDB would SET the version to 1 instead."""
    key.version = 0
    return key


ALL_OLD = "ALL_OLD"  # operations sent with it name the stored item when their condition fails


def condition_failed(error: PynamoDBException) -> bool:
    """Whether a write was refused by its condition: a single-item write's, or any of a transaction's."""
    if isinstance(error, TransactWriteError):
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons or [])
    return error.cause_response_code == "ConditionalCheckFailedException"


def failed_conditions(error: TransactWriteError) -> set[str]:
    """The types of the stored items whose conditions cancelled a transaction."""
    return {
        reason.raw_item.get("type", {}).get("S", "")
        for reason in error.cancellation_reasons or []
        if reason is not None and reason.code == "ConditionalCheckFailed" and reason.raw_item
    }


class OrderItem(TableItem, discriminator="order"):
    """An order with its lines (a bounded list: an order has at most MAX_LINES)."""

    id = UnicodeAttribute()
    number = NumberAttribute()
    customer_id = UnicodeAttribute(null=True)
    customer_entry_id = UnicodeAttribute(null=True)
    customer = JSONAttribute()
    billing_address = JSONAttribute(null=True)
    shipping_address = JSONAttribute(null=True)
    delivery_method = UnicodeAttribute()
    delivery_method_name = UnicodeAttribute(null=True)  # null on orders stored before methods had names
    payment_method = UnicodeAttribute()
    status = UnicodeAttribute()
    payment_status = UnicodeAttribute()
    fulfillment_status = UnicodeAttribute()
    lines = JSONAttribute()
    order_discount = JSONAttribute(null=True)
    shipping = NumberAttribute()
    currency = UnicodeAttribute()
    is_test = BooleanAttribute(default=False)
    attribution = JSONAttribute(default=dict)
    invoice_number = NumberAttribute(null=True)
    flags = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # For reports; null on orders stored before they existed (read as created_at's UTC day and the entry).
    placed_at = UnicodeAttribute(null=True)
    placed_day = UnicodeAttribute(null=True)
    refunded_day = UnicodeAttribute(null=True)
    customer_group_id = UnicodeAttribute(null=True)
    imported = BooleanAttribute(default=False)
    report_customer_key = UnicodeAttribute(null=True)
    version = VersionAttribute()


class ImportedRowItem(TableItem, discriminator="imported_row"):
    """`IMPROW#<job>#<row>`: this row of an order history file was added to an order (once)."""

    order_id = UnicodeAttribute()


class OrderNumberItem(TableItem, discriminator="order_number"):
    """`ORDERNO#<number>`: finds an order by its number (and keeps numbers unique)."""

    order_id = UnicodeAttribute()


class OrderEventItem(TableItem, discriminator="order_event"):
    id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    data = JSONAttribute(default=dict)


class ProcessedEventItem(TableItem, discriminator="processed_event"):
    """A provider event already applied (payment webhooks): a replay finds it and changes nothing."""

    order_id = UnicodeAttribute()
    at = UnicodeAttribute()
    expires_at = NumberAttribute()


class ProductSalesItem(TableItem, discriminator="product_sales"):
    """What one sku sold on one day: `OPRODS#<yyyy-mm>/<yyyy-mm-dd>#<sku>`, changed by ADD deltas."""

    sku = UnicodeAttribute()
    day = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    quantity = NumberAttribute(default=0)
    revenue = NumberAttribute(default=0)
    order_ids = UnicodeSetAttribute(null=True)


class InvoiceItem(TableItem, discriminator="invoice"):
    """`INVOICE#<number>/INVOICE`, GSI1 `INVOICES` by issue time. Numbered gaplessly (counters)."""

    number = NumberAttribute()
    order_id = UnicodeAttribute()
    issued_at = UnicodeAttribute()
    status = UnicodeAttribute()
    buyer = JSONAttribute()
    lines = JSONAttribute()
    totals = JSONAttribute()
    currency = UnicodeAttribute()
    document_key = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    cancellation_reason = UnicodeAttribute(null=True)


class UploadGuardItem(TableItem, discriminator="upload_guard"):
    """One per uploaded file version: a second S3 notification for it finds the guard and stops."""

    job_id = UnicodeAttribute()


class DocumentItem(TableItem, discriminator="document"):
    """A small configuration record (a group, a custom field definition) in its collection's
    partition `<COLLECTION>/<id>`: a collection is read whole with one Query."""

    body = JSONAttribute(default=dict)


class AddressItem(TableItem, discriminator="address"):
    id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    fields = JSONAttribute(default=dict)


class NoteItem(TableItem, discriminator="note"):
    id = UnicodeAttribute()
    text = UnicodeAttribute()
    author = UnicodeAttribute()
    created_at = UnicodeAttribute()
    editable_until = UnicodeAttribute()


class TicketItem(TableItem, discriminator="ticket"):
    """A support ticket's header; its messages are TicketMessageItems right after it."""

    id = UnicodeAttribute()
    subject = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class TicketMessageItem(TableItem, discriminator="ticket_message"):
    id = UnicodeAttribute()
    author = UnicodeAttribute()
    text = UnicodeAttribute()
    at = UnicodeAttribute()


class ReviewItem(TableItem, discriminator="review"):
    id = UnicodeAttribute()
    sku = UnicodeAttribute()
    rating = NumberAttribute()
    title = UnicodeAttribute(default="")
    text = UnicodeAttribute()
    approved = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


class ProductItem(TableItem, discriminator="product"):
    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    price = NumberAttribute()
    status = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    brand = UnicodeAttribute(null=True)
    stock = NumberAttribute(null=True)
    suppliers = JSONAttribute(default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class CounterItem(TableItem, discriminator="counter"):
    """A named sequence: `COUNTER#<name>/COUNTER`, its last value taken."""

    value = NumberAttribute(default=0)


class CartItem(TableItem, discriminator="cart"):
    """A shopping cart: lines as {sku, quantity} (prices are read from the catalogue, never stored)."""

    id = UnicodeAttribute()
    token_hash = UnicodeAttribute(null=True)  # guest carts: sha256 of the secret cart_token
    customer_id = UnicodeAttribute(null=True)
    state = UnicodeAttribute()
    lines = JSONAttribute(default=list)
    coupon = UnicodeAttribute(null=True)
    schedule = JSONAttribute(null=True)
    attribution = JSONAttribute(default=dict)
    ip = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class CheckoutLinkItem(TableItem, discriminator="checkout_link"):
    """`CLINK#<link id>`: a checkout link staff sent for a cart; expires_at is also the TTL."""

    cart_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    expires_at = NumberAttribute()
    created_by = UnicodeAttribute()


class CouponItem(TableItem, discriminator="coupon"):
    code = UnicodeAttribute()
    kind = UnicodeAttribute()  # percent | fixed
    value = NumberAttribute()
    min_subtotal = NumberAttribute(default=0)
    starts_at = UnicodeAttribute(null=True)
    ends_at = UnicodeAttribute(null=True)
    usage_limit = NumberAttribute(null=True)
    per_customer_limit = NumberAttribute(null=True)
    used = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class CouponUseItem(TableItem, discriminator="coupon_use"):
    """How often one customer (or guest email) used a coupon: `COUPON#<code>/USE#<customer key>`."""

    code = UnicodeAttribute()
    customer_key = UnicodeAttribute()
    uses = NumberAttribute(default=0, attr_name="count")  # not `count`: Model.count is PynamoDB's own


class SubscriptionItem(TableItem, discriminator="subscription"):
    id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    lines = JSONAttribute()
    frequency = UnicodeAttribute()
    next_renewal_at = UnicodeAttribute()
    status = UnicodeAttribute()
    payment_method = UnicodeAttribute()
    delivery_method = UnicodeAttribute()
    billing_address = JSONAttribute(null=True)
    shipping_address = JSONAttribute(null=True)
    attribution = JSONAttribute(default=dict)
    first_order_id = UnicodeAttribute(null=True)
    last_order_id = UnicodeAttribute(null=True)
    renewals = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class IdempotencyItem(TableItem, discriminator="idempotency"):
    """`IDEMP#<sha256 of caller, route and Idempotency-Key>`: a create's answer, replayed for 24 hours."""

    status = UnicodeAttribute()  # in_progress | done
    at = UnicodeAttribute()
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()


class PaymentDueItem(TableItem, discriminator="payment_due"):
    """`PAYDUE/<created_at>#<order id>`: an open card/PayPal order still waiting for its payment.
    Written and removed with the order's changes, so the unpaid-order job reads only these."""

    order_id = UnicodeAttribute()


# Reports: pre-aggregated items kept by the table's stream (store/report_aggregates.py), never the orders.

class SalesDayItem(TableItem, discriminator="report_sales"):
    """A day's sales for one dimension value: `RSALES#<yyyy-mm>#<dimension>` / `<value>#<day>`. Figures
    change by ADD deltas only."""

    orders = NumberAttribute(default=0)
    units_sold = NumberAttribute(default=0)
    gross_sales = NumberAttribute(default=0)
    discounts = NumberAttribute(default=0)
    returns = NumberAttribute(default=0)
    shipping = NumberAttribute(default=0)
    cancelled_orders = NumberAttribute(default=0)


class ProductDayItem(TableItem, discriminator="report_product"):
    """A sku's sales on a day: `RPROD#<yyyy-mm>` / `<day>#<sku>`."""

    units_sold = NumberAttribute(default=0)
    gross_sales = NumberAttribute(default=0)
    orders = NumberAttribute(default=0)


class PaymentDayItem(TableItem, discriminator="report_payment"):
    """Orders placed on a day by payment method and status, and refunds: `RPAY#<yyyy-mm>` / `<day>#<method>#<status>`."""

    orders = NumberAttribute(default=0)
    amount = NumberAttribute(default=0)
    refunds = NumberAttribute(default=0)


class CustomerPeriodItem(TableItem, discriminator="report_customer_period"):
    """New and returning customers of one period: `RCUSTP#<kind>#<yyyy-mm (days) | yyyy>` / `<period>`."""

    new_customers = NumberAttribute(default=0)
    returning_customers = NumberAttribute(default=0)
    new_customer_orders = NumberAttribute(default=0)
    returning_customer_orders = NumberAttribute(default=0)
    new_customer_net_sales = NumberAttribute(default=0)
    returning_customer_net_sales = NumberAttribute(default=0)


class CustomerDayItem(TableItem, discriminator="report_customer_day"):
    """One customer's orders on a day to a country: `RCUSTD#<yyyy-mm>` / `<day>#<customer key>#<country>`."""

    orders = NumberAttribute(default=0)
    net_sales = NumberAttribute(default=0)


class CustomerActivityItem(TableItem, discriminator="report_activity"):
    """A customer's counted orders per day, {day: [orders, net_sales]}: `RACT#<customer key>` / `ACTIVITY`.
    Written under its version with the period deltas it implies."""

    days = JSONAttribute(default=dict)
    version = VersionAttribute()


class AggregateGuardItem(TableItem, discriminator="aggregate_done"):
    """`AGGDONE#<order id>#<version>#<family>[#<part>]`: this order change is in this family's items (TTL)."""

    expires_at = NumberAttribute()


class SavedReportItem(TableItem, discriminator="saved_report"):
    """`SAVEDREPORTS` / `<id>`: a saved report (its definition in `body`) and the last day its schedule covered."""

    id = UnicodeAttribute()
    body = JSONAttribute(default=dict)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    last_covered = UnicodeAttribute(null=True)
    version = VersionAttribute()


class ReportFileItem(TableItem, discriminator="report_file"):
    """`RFILES` / `<day>#<name>`: a file the nightly job wrote to the reports bucket (listing = one Query)."""

    name = UnicodeAttribute()
    report = UnicodeAttribute()
    day = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    key = UnicodeAttribute()
    saved_report_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class ReportDayDoneItem(TableItem, discriminator="report_day_done"):
    """`RFILESDONE#<day>`: the day's report files are all written (a later run of the job skips them)."""

    at = UnicodeAttribute()


class ReportLinkItem(TableItem, discriminator="report_link"):
    """`RLINK#<random id>`: a report file's link in a staff email, to this API (a presigned URL lasts no
    longer than the role credentials that signed it); gone with its TTL."""

    key = UnicodeAttribute()
    expires_at = NumberAttribute()


class StaffMailItem(TableItem, discriminator="staff_mail"):
    """`STAFFMAIL` / `<ulid>`: an email to staff (a scheduled report's link): an outbox and a log in one
    item, queued with the change that causes it and sent by the stream handler."""

    id = UnicodeAttribute()
    to = UnicodeAttribute()
    template = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    status = UnicodeAttribute()  # queued, sending, sent, failed
    at = UnicodeAttribute()
    context = JSONAttribute(null=True)  # dropped once sent
