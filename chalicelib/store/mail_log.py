"""The customer's Emails tab: `CUST#<id>/MAIL#<ulid of the happening>#<template>`.

Claiming the entry before sending makes a re-delivered event send no second email."""
from pynamodb.exceptions import PutError

from chalicelib.domain.customers import utc_now
from chalicelib.store.models import MailLogItem


def _item(customer_id: str, happening_id: str, template: str) -> MailLogItem:
    return MailLogItem(PK=f"CUST#{customer_id}", SK=f"MAIL#{happening_id}#{template}",
                       id=f"{happening_id}#{template}", template=template, subject="", status="sending", at=utc_now())


def claim(customer_id: str, happening_id: str, template: str) -> bool:
    """True if this email is ours to send: never tried, or tried and failed."""
    item = _item(customer_id, happening_id, template)
    try:
        item.save(condition=MailLogItem.PK.does_not_exist() | (MailLogItem.status != "sent"))
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def record(customer_id: str, happening_id: str, template: str, status: str, subject: str) -> None:
    item = _item(customer_id, happening_id, template)
    item.update(actions=[MailLogItem.status.set(status), MailLogItem.subject.set(subject), MailLogItem.at.set(utc_now())])


def entries(customer_id: str) -> list[dict]:
    return [{"id": m.id, "template": m.template, "subject": m.subject, "status": m.status, "at": m.at}
            for m in MailLogItem.query(f"CUST#{customer_id}", MailLogItem.SK.startswith("MAIL#"), consistent_read=True)]
