"""Abandoned-cart reminders (scheduled every minute): one email per idle period for each customer's
cart idle longer than the store's delay."""
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.clock import iso, utc_now
from chalicelib.domain.mail import queue_mail
from chalicelib.services import configuration
from chalicelib.services.cart_pricing import mail_view
from chalicelib.settings import get_settings
from chalicelib.store import carts as repo
from chalicelib.store import customers as customer_repo
from chalicelib.store import products as product_repo


def send_cart_reminders(limit: int = 200) -> int:
    """One reminder per idle period for each cart idle longer than the delay; returns how many were
    queued. Safe to run twice or overlapping: each cart's reminder is taken by one conditioned write."""
    settings = configuration.store_settings()
    due = repo.reminders_due(iso(clock.now() - timedelta(minutes=settings.abandoned_cart_delay_minutes)), limit)
    people = {c.id: c for c in customer_repo.get_many([cart.customer_id for cart in due if cart.customer_id])}
    catalogue = product_repo.get_many([line.sku for cart in due for line in cart.lines])
    queued = 0
    for cart in due:
        person = people.get(cart.customer_id) if cart.customer_id else None
        if person is None or not person.email:
            repo.mark_reminded(cart, utc_now(), None)  # nobody to remind: off the due list
            continue
        mail = queue_mail(person.id, "cart_reminder", cart=mail_view(cart, catalogue, settings.currency),
                          link=f"{get_settings().storefront_url}/carts/{cart.id}",
                          customer={"first_name": person.first_name, "last_name": person.last_name})
        queued += repo.mark_reminded(cart, utc_now(), mail)
    return queued
