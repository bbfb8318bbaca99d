"""The customer's emails: `CUST#<id>/MAIL#<ulid>`, an outbox and the Emails tab in one item.

Queued with the change that causes it (`queued_item` goes into that transaction); the stream
handler claims it (queued/failed -> sending), sends, and records sent or failed."""
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.clock import utc_now
from chalicelib.domain.mail import MailLogEntry, MailStatus, QueuedMail
from chalicelib.domain.pages import Page
from chalicelib.store.models import MailLogItem, condition_failed
from chalicelib.store.pagination import newest_first

_STALE_CLAIM_SECONDS = 300  # a sender that crashed mid-send frees its claim after this


def queued_item(mail: QueuedMail) -> MailLogItem:
    return MailLogItem(PK=f"CUST#{mail.customer_id}", SK=f"MAIL#{mail.id}", id=mail.id, customer_id=mail.customer_id,
                       template=mail.template, status=MailStatus.QUEUED, at=mail.at, context=mail.context)


def claim(customer_id: str, mail_id: str, stale_before: str) -> QueuedMail | None:
    """Take a queued or failed email for sending (or one whose sender died). None if it is not
    ours to send: already sent, being sent, or gone."""
    item = MailLogItem(PK=f"CUST#{customer_id}", SK=f"MAIL#{mail_id}")
    sendable = MailLogItem.status.is_in(MailStatus.QUEUED, MailStatus.FAILED) | (
        (MailLogItem.status == MailStatus.SENDING) & (MailLogItem.at < stale_before))
    try:
        item.update(actions=[MailLogItem.status.set(MailStatus.SENDING), MailLogItem.at.set(utc_now())],
                    condition=MailLogItem.PK.exists() & sendable)
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return QueuedMail(id=item.id, customer_id=customer_id, template=item.template, context=item.context or {}, at=item.at)


def record(customer_id: str, mail_id: str, status: str, subject: str = "") -> None:
    """Sent or skipped (template disabled): the template context (it may hold a single-use link) is dropped."""
    item = MailLogItem(PK=f"CUST#{customer_id}", SK=f"MAIL#{mail_id}")
    actions: list[Action] = [MailLogItem.status.set(status), MailLogItem.at.set(utc_now())]
    if status in (MailStatus.SENT, MailStatus.SKIPPED):
        actions += [MailLogItem.subject.set(subject), MailLogItem.context.remove()]
    item.update(actions=actions)


def page(customer_id: str, limit: int, next_token: str | None) -> Page[MailLogEntry]:
    return newest_first(MailLogItem, f"CUST#{customer_id}", "MAIL#", limit, next_token, lambda m: MailLogEntry(
        id=m.id, template=m.template, subject=m.subject, status=m.status, at=m.at))
