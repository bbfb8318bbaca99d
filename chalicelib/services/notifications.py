"""Sends the emails that changes queued (the outbox). Runs after the change is stored: a failed send
is recorded and raised (the stream retries it), and never undoes the change."""
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.customers import iso
from chalicelib.domain.mail import MailStatus
from chalicelib.notify import mailer
from chalicelib.store import customers, mail_log

_CLAIM_TIMEOUT = timedelta(minutes=5)


def send_queued_mail(customer_id: str, mail_id: str) -> bool:
    """Send one queued email, once: True if it went out now, False if it was not ours to send
    (already sent, being sent, or its customer is gone)."""
    customer = customers.get(customer_id)
    mail = mail_log.claim(customer_id, mail_id, stale_before=iso(clock.now() - _CLAIM_TIMEOUT))
    if mail is None or customer is None:
        return False
    try:
        subject = mailer.send(mail.template, customer.email, mail.context)
    except Exception:
        mail_log.record(customer_id, mail_id, MailStatus.FAILED)
        raise
    mail_log.record(customer_id, mail_id, MailStatus.SENT, subject)
    return True
