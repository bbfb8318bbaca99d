"""Emails as an outbox: queued in the transaction of the change that causes them, sent afterwards."""

from chalicelib.domain.base import Record
from chalicelib.domain.customers import utc_now
from chalicelib.domain.ids import new_id


class MailStatus:
    QUEUED = "queued"  # written with the change; the stream handler sends it
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # the send failed; the stream retries it


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
