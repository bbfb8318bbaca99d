"""Admin: subscriptions (a customer's Subscriptions tab; pause, resume, cancel, reschedule)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, route, staff
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
subscriptions = lazy_import("chalicelib.services.subscriptions")
DOMAIN = "chalicelib.domain.subscriptions"


@route(bp, "/customers/{customer_id}/subscriptions", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=list[f"{DOMAIN}:Subscription"], summary="A customer's subscriptions, newest first")
def customer_subscriptions(principal, customer_id: str, query: ListQuery):
    return subscriptions.customer_subscriptions(customer_id, query.limit, query.next_token)


@route(bp, "/subscriptions/{subscription_id}", "GET", access=ANY_STAFF, response=f"{DOMAIN}:Subscription",
       summary="A subscription")
def get_subscription(principal, subscription_id: str):
    return subscriptions.get_subscription(subscription_id)


@route(bp, "/subscriptions/{subscription_id}", "PATCH", access=staff("admin", "agent"),
       body=f"{DOMAIN}:SubscriptionChanges", response=f"{DOMAIN}:Subscription",
       summary="Pause, resume or cancel (final) a subscription; change its frequency or next renewal day")
def change_subscription(principal, subscription_id: str, body: SubscriptionChanges):
    return subscriptions.change_subscription(subscription_id, body, principal.actor)
