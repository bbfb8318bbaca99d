"""Emails to staff (a scheduled report's link): `STAFFMAIL` / `<ulid>`, an outbox and a log in one item.

Queued in the transaction of the change that causes it (`queued_item`); the stream handler claims it
(queued/failed -> sending), sends it and records sent or failed, as the customers' emails (mail_log)."""
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain.clock import utc_now
from chalicelib.domain.mail import MailStatus
from chalicelib.domain.saved_reports import StaffMail
from chalicelib.store.models import StaffMailItem, condition_failed

_PK = "STAFFMAIL"


def queued_item(mail: StaffMail) -> StaffMailItem:
    return StaffMailItem(PK=_PK, SK=mail.id, id=mail.id, to=mail.to, template=mail.template, status=MailStatus.QUEUED,
                         at=mail.at, context=mail.context)


def queued_mail(event_name: str, new_image: dict | None) -> str | None:
    """The id of a staff email just queued (a stream record's new image), else None."""
    staff_mail_type = StaffMailItem.item_type.get_discriminator(StaffMailItem)
    if event_name != "INSERT" or not new_image or new_image.get("type", {}).get("S") != staff_mail_type:
        return None
    item = StaffMailItem.from_raw_data(new_image)
    return item.id if item.status == MailStatus.QUEUED else None


def claim(mail_id: str, stale_before: str) -> StaffMail | None:
    """Take a queued or failed email for sending (or one whose sender died); None if not ours to send."""
    item = StaffMailItem(PK=_PK, SK=mail_id)
    sendable = StaffMailItem.status.is_in(MailStatus.QUEUED, MailStatus.FAILED) | (
        (StaffMailItem.status == MailStatus.SENDING) & (StaffMailItem.at < stale_before))
    try:
        item.update(actions=[StaffMailItem.status.set(MailStatus.SENDING), StaffMailItem.at.set(utc_now())],
                    condition=StaffMailItem.PK.exists() & sendable)
    except UpdateError as error:
        if condition_failed(error):
            return None
        raise
    return StaffMail(id=item.id, to=item.to, template=item.template, context=item.context or {}, at=item.at)


def record(mail_id: str, status: str, subject: str = "") -> None:
    """Sent: the context (it holds the download link) is dropped."""
    item = StaffMailItem(PK=_PK, SK=mail_id)
    actions: list[Action] = [StaffMailItem.status.set(status), StaffMailItem.at.set(utc_now())]
    if status == MailStatus.SENT:
        actions += [StaffMailItem.subject.set(subject), StaffMailItem.context.remove()]
    item.update(actions=actions)
