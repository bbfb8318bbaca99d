"""What a change of the table (a record of its stream) starts, once the change is stored: a queued
email is sent (to a customer, or to staff: a scheduled report), an order's invoice and the report
items follow the order, a deleted customer's personal data is purged.
Each step is safe to run again: the stream delivers a record at least once."""
from chalicelib.domain.customers import Customer
from chalicelib.services import invoices, notifications, orders, report_aggregates, report_files
from chalicelib.store import addresses, changes, staff_mail
from chalicelib.store import carts as cart_repo
from chalicelib.store import customers as customer_repo


def table_changed(event_name: str, new_image: dict | None, old_image: dict | None) -> None:
    """One stream record: its event name (INSERT, MODIFY, REMOVE) and raw images."""
    queued = changes.queued_mail(event_name, new_image)
    if queued:
        notifications.send_queued_mail(*queued)
    order_id = changes.changed_order(event_name, new_image)
    if order_id:
        invoices.on_order_changed(order_id)
    report_aggregates.follow_order(event_name, old_image, new_image)
    staff_mail_id = staff_mail.queued_mail(event_name, new_image)
    if staff_mail_id:
        report_files.send_queued_staff_mail(staff_mail_id)
    deleted = changes.deleted_customer(event_name, old_image)
    if deleted:
        purge_deleted_customer(deleted)


def purge_deleted_customer(customer: Customer) -> None:
    """After a customer's profile is deleted: their orders lose who bought them, their carts go (what
    they were about to buy and where from), then the rest of their personal data; the address search
    entries before the addresses they are read from. Each step is safe to run again."""
    orders.anonymise_orders_of(customer.id)
    cart_repo.delete_customer_carts(customer.id)
    addresses.delete_search_entries_of(customer.id)
    customer_repo.purge(customer)
