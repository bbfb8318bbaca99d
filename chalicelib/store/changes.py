"""What a table change (a DynamoDB stream record's raw images) means in domain terms, and which
changes mean nothing to the stream's handler."""
import json

from chalicelib.domain.customers import Customer
from chalicelib.domain.mail import MailStatus
from chalicelib.store import customers
from chalicelib.store.models import (
    AggregateGuardItem,
    CustomerActivityItem,
    CustomerDayItem,
    CustomerPeriodItem,
    MailLogItem,
    OrderItem,
    PaymentDayItem,
    ProductDayItem,
    ProductSalesItem,
    SalesDayItem,
    SearchEntryItem,
    TableItem,
    TagItem,
)

# Items derived from others (search entries, tag items) or written by the stream's handler itself (the
# report items and their guards): nothing follows their changes, and an import writes ~60 of them per
# customer. Their records are kept from the handler: in AWS by the event source's filter
# (`stream_filters`), on the local stack and in the benches by `watched`.
UNWATCHED = (SearchEntryItem, TagItem, SalesDayItem, ProductDayItem, ProductSalesItem, PaymentDayItem, CustomerPeriodItem,
             CustomerDayItem, CustomerActivityItem, AggregateGuardItem)


_UNWATCHED_TYPES = sorted(str(model.item_type.get_discriminator(model)) for model in UNWATCHED)


def stream_filters() -> list[dict]:
    """Lambda event filter patterns (any may match) passing every record but those of UNWATCHED items:
    an item written or changed by its new image, an item removed by its old one."""
    kept = {"S": [{"anything-but": _UNWATCHED_TYPES}]}
    return [{"Pattern": json.dumps({"dynamodb": {"NewImage": {"type": kept}}})},
            {"Pattern": json.dumps({"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"type": kept}}})}]


def watched(record: dict) -> bool:
    """Whether `stream_filters` let a stream record through (the same rule, for the local stack)."""
    image = record["dynamodb"].get("OldImage" if record["eventName"] == "REMOVE" else "NewImage") or {}
    item_type = image.get("type", {}).get("S")
    return item_type is not None and item_type not in _UNWATCHED_TYPES


def queued_mail(event_name: str, new_image: dict | None) -> tuple[str, str] | None:
    """(customer id, mail id) of an email just queued, else None. Its own later writes (sending, sent,
    failed) start nothing: a failed send is retried by the stream redelivering the queued record."""
    if event_name == "REMOVE" or not new_image:
        return None
    item = TableItem.from_raw_data(new_image)
    if isinstance(item, MailLogItem) and item.status == MailStatus.QUEUED:
        return item.customer_id, item.id
    return None


def deleted_customer(event_name: str, old_image: dict | None) -> Customer | None:
    """The customer whose profile was just deleted (their personal data is then purged)."""
    return customers.from_image(old_image) if event_name == "REMOVE" else None


def changed_order(event_name: str, new_image: dict | None) -> str | None:
    """The id of an order just placed or changed, else None (read from the image's type and id: the
    order itself is read again by whoever needs it)."""
    if event_name == "REMOVE" or not new_image:
        return None
    if new_image.get("type", {}).get("S") != OrderItem.item_type.get_discriminator(OrderItem):
        return None
    return new_image["id"]["S"]
