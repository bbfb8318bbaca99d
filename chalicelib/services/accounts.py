"""Shopper accounts: registration, login, email verification, and a customer's own record."""
import hashlib
import secrets
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain import customers as domain
from chalicelib.domain.addresses import Address, AddressDraft
from chalicelib.domain.customer_inputs import CustomerChanges, ProfileChanges, Registration
from chalicelib.domain.customers import Customer, CustomerStatus, VerificationToken
from chalicelib.domain.errors import Forbidden, InvalidInput, TooManyRequests, Unauthorized
from chalicelib.domain.mail import QueuedMail, queue_mail
from chalicelib.domain.pages import Page
from chalicelib.domain.passwords import hash_password, verify_password
from chalicelib.domain.tokens import Principal, issue_customer_token
from chalicelib.services import configuration, customer_tabs, orders
from chalicelib.services.customers import change_customer, get_customer
from chalicelib.settings import Settings
from chalicelib.store import customers as repo

VERIFICATION_TTL = timedelta(hours=48)
RESEND_INTERVAL = timedelta(minutes=15)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _verification(customer: Customer, settings: Settings) -> tuple[VerificationToken, QueuedMail]:
    """A fresh single-use token (only its hash is stored) and the email that carries it."""
    token = secrets.token_urlsafe(32)
    expires = int((clock.now() + VERIFICATION_TTL).timestamp())
    link = f"{settings.storefront_url}/verify-email?token={token}"
    mail = queue_mail(customer.id, "verify_email", first_name=customer.first_name, link=link)
    return VerificationToken(_token_hash(token), customer.id, expires), mail


def register(registration: Registration, settings: Settings) -> Customer:
    """A shopper opens an account in the store's default group. Pending until staff validate it when
    accounts are not validated automatically; a verification email when the store requires one,
    a welcome email otherwise (both queued in the same transaction, sent by the stream)."""
    store = configuration.store_settings()
    status = CustomerStatus.ACTIVE if store.auto_validate_accounts else CustomerStatus.PENDING
    custom = configuration.checked_custom_values(registration.custom_fields)
    customer = domain.new_customer(registration.model_copy(update={"custom_fields": custom}), registered=True,
                                   status=status, group_id=store.default_group_id)
    verification = None
    if store.require_email_verification:
        verification, mail = _verification(customer, settings)
    else:
        mail = queue_mail(customer.id, "welcome", first_name=customer.first_name, email=customer.email)
    event = domain.customer_created_event(f"customer:{customer.id}", registered=True)
    return repo.create(customer, [event], password_hash=hash_password(registration.password), mails=[mail],
                       verification=verification)


def log_in(email: str, password: str, settings: Settings, cart_id: str | None = None, cart_token: str | None = None) -> str:
    """A customer token for the right password; the same answer for an unknown email or a wrong password.
    A guest cart given along (id and token) is taken into the customer's cart."""
    found = repo.find_login(email)
    customer, password_hash = found if found else (None, None)
    if not verify_password(password, password_hash) or customer is None:
        raise Unauthorized("Wrong email or password.")
    _check_may_log_in(customer)
    if cart_id and cart_token:
        from chalicelib.services import shopper_carts  # only a login that brings a guest cart needs it

        shopper_carts.claim_guest_cart(customer.id, cart_id, cart_token)
    return issue_customer_token(customer.id, settings.customer_token_secret, settings.customer_token_ttl_seconds)


def _check_may_log_in(customer: Customer) -> None:
    if customer.status == CustomerStatus.PENDING:
        raise Forbidden("This account is waiting for the shop to validate it.")
    if not CustomerStatus.can_log_in(customer.status):
        raise Forbidden(f"This account is {customer.status}.")


def own_profile(principal: Principal) -> Customer:
    """The calling customer's record; a token of a deleted or switched-off account stops working."""
    customer = repo.get(principal.subject)
    if customer is None:
        raise Unauthorized("The account no longer exists.")
    _check_may_log_in(customer)
    return customer


def update_own_profile(principal: Principal, changes: ProfileChanges) -> Customer:
    as_staff_change = CustomerChanges(**changes.model_dump(exclude_unset=True))
    return change_customer(own_profile(principal), as_staff_change, actor=principal.actor)


def own_addresses(principal: Principal, limit: int, next_token: str | None) -> Page[Address]:
    own_profile(principal)
    return customer_tabs.address_page(principal.subject, limit, next_token)


def add_own_address(principal: Principal, draft: AddressDraft) -> Address:
    own_profile(principal)
    return customer_tabs.add_address(principal.subject, draft, actor=principal.actor)


def verify_email(token: str) -> Customer:
    """The link of the verification email: single use, expires after 48 hours."""
    now = int(clock.now().timestamp())
    customer_id = repo.find_verification(_token_hash(token), now)
    customer = repo.get(customer_id) if customer_id else None
    if customer is None or not repo.mark_email_verified(
            customer, [domain.email_verified_event(f"customer:{customer.id}")], token_hash=_token_hash(token), now=now):
        raise InvalidInput("This verification link is not valid any more.",
                           [{"field": "token", "message": "invalid, used or expired"}])
    return get_customer(customer.id)


def confirm_email_by_staff(customer_id: str, actor: str) -> Customer:
    customer = get_customer(customer_id)
    if not customer.email_verified:
        repo.mark_email_verified(customer, [domain.email_verified_event(actor)])
    return get_customer(customer_id)


def resend_verification(customer_id: str, settings: Settings) -> None:
    """At most once per 15 minutes per customer (429 otherwise)."""
    customer = get_customer(customer_id)
    if customer.email_verified:
        raise InvalidInput("This customer's email is already verified.")
    now = clock.now()
    verification, mail = _verification(customer, settings)
    if not repo.mark_verification_sent(customer_id, clock.iso(now), clock.iso(now - RESEND_INTERVAL), verification, mail):
        raise TooManyRequests("A verification email was sent less than 15 minutes ago.")


def own_orders(principal: Principal, limit: int, next_token: str | None) -> Page:
    """The calling customer's orders, newest first (their token reaches only their own)."""
    own_profile(principal)
    return orders.customer_orders(principal.subject, limit, next_token)
