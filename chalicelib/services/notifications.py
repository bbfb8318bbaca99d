"""Emails that follow a happening. Sent after the change is stored; a failed send is recorded and
raised (the event is retried), and never undoes the change."""
from chalicelib.notify import mailer
from chalicelib.store import customers, mail_log


def send_welcome(customer_id: str) -> bool:
    """Welcome a newly registered customer, once. True if an email went out now."""
    customer = customers.get(customer_id)
    if customer is None or not mail_log.claim(customer_id, customer_id, "welcome"):
        return False
    context = {"first_name": customer.first_name, "email": customer.email}
    try:
        subject = mailer.send("welcome", customer.email, context)
    except Exception:
        mail_log.record(customer_id, customer_id, "welcome", "failed", "")
        raise
    mail_log.record(customer_id, customer_id, "welcome", "sent", subject)
    return True
