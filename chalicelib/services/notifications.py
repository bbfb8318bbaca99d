"""Sends the emails that changes queued (the outbox). Runs after the change is stored: a failed send
is recorded and raised (the stream retries it), and never undoes the change. An email whose template
staff disabled is recorded as skipped, not sent."""
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.clock import iso
from chalicelib.domain.mail import MailStatus
from chalicelib.domain.orders import email_event
from chalicelib.notify import mailer
from chalicelib.store import customers, email_templates, mail_log, orders

_CLAIM_TIMEOUT = timedelta(minutes=5)


class MailNotSent(Exception):
    """A send failed; the stream retries the record."""


def send_queued_mail(customer_id: str, mail_id: str) -> bool:
    """Send one queued email, once: True if it went out now, False if it was not ours to send
    (already sent, being sent, or its customer is gone) or its template is disabled (logged skipped)."""
    customer = customers.get(customer_id)
    mail = mail_log.claim(customer_id, mail_id, stale_before=iso(clock.now() - _CLAIM_TIMEOUT))
    if mail is None or customer is None:
        return False
    try:
        override = email_templates.get(mail.template)  # staff's version of the template, if any
        disabled = override is not None and not override.enabled
        subject = None if disabled else mailer.send(mail.template, customer.email, mail.context, override)
    except Exception as error:
        mail_log.record(customer_id, mail_id, MailStatus.FAILED)
        # SES names the recipient in its errors: what is raised (and logged by the stream) names only the mail.
        raise MailNotSent(f"mail {mail_id} ({mail.template}) was not sent: {type(error).__name__}") from None
    if subject is None:
        mail_log.record(customer_id, mail_id, MailStatus.SKIPPED)
        return False
    mail_log.record(customer_id, mail_id, MailStatus.SENT, subject)
    order_id = (mail.context.get("order") or {}).get("id")
    if order_id:  # an order email also goes on the order's timeline
        orders.add_events(order_id, [email_event(mail.template)])
    return True
