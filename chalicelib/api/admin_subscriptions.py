"""Admin: subscriptions (a customer's Subscriptions tab; pause, resume, cancel, reschedule)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, LIST_QUERY, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.base import ListQuery
    from chalicelib.domain.subscriptions import SubscriptionChanges

bp = Blueprint(__name__)
DOMAIN = "chalicelib.domain.subscriptions"


@route(bp, "/customers/{customer_id}/subscriptions", "GET", access=ANY_STAFF, query=LIST_QUERY,
       response=page_of(f"{DOMAIN}:Subscription"), summary="A customer's subscriptions, newest first")
def customer_subscriptions(principal: Principal, customer_id: str, query: ListQuery):
    from chalicelib.services import subscriptions

    return subscriptions.customer_subscriptions(customer_id, query.limit, query.next_token)


@route(bp, "/subscriptions/{subscription_id}", "GET", access=ANY_STAFF, response=f"{DOMAIN}:Subscription",
       summary="A subscription")
def get_subscription(principal: Principal, subscription_id: str):
    from chalicelib.services import subscriptions

    return subscriptions.get_subscription(subscription_id)


@route(bp, "/subscriptions/{subscription_id}", "PATCH", access=staff("admin", "agent"),
       body=f"{DOMAIN}:SubscriptionChanges", response=f"{DOMAIN}:Subscription",
       summary="Pause, resume or cancel (final) a subscription; change its frequency or next renewal day")
def change_subscription(principal: Principal, subscription_id: str, body: SubscriptionChanges):
    from chalicelib.services import subscriptions

    return subscriptions.change_subscription(subscription_id, body, principal.actor)
