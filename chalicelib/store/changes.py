"""What a table change (a DynamoDB stream record's raw images) means in domain terms."""
from chalicelib.domain.customers import Customer
from chalicelib.domain.mail import MailStatus
from chalicelib.store import customers
from chalicelib.store.models import MailLogItem, OrderItem, TableItem


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
