"""Customer operations for staff and shoppers. Speaks in domain terms; storage is the repository's job."""
from chalicelib.domain import customers as domain
from chalicelib.domain.customers import Customer, CustomerChanges, CustomerDraft, CustomerStatus, ProfileChanges, Registration
from chalicelib.domain.errors import Forbidden, NotFound, Unauthorized
from chalicelib.domain.passwords import hash_password, verify_password
from chalicelib.domain.tokens import Principal, issue_customer_token
from chalicelib.settings import Settings
from chalicelib.store import customers as repo
from chalicelib.store.pagination import Page


def create_customer(draft: CustomerDraft, actor: str) -> Customer:
    """Staff add a customer by hand: no account (registered = false), no password."""
    customer = domain.new_customer(draft, registered=False, status=draft.status)
    return repo.create(customer, domain.customer_created_event(actor, registered=False))


def get_customer(customer_id: str) -> Customer:
    customer = repo.get(customer_id)
    if customer is None:
        raise NotFound("No customer with this id.")
    return customer


def update_customer(customer_id: str, changes: CustomerChanges, actor: str) -> Customer:
    before = get_customer(customer_id)
    after, diff = domain.apply_changes(before, changes)
    if not diff:
        return before
    return repo.update(before, after, domain.customer_updated_event(actor, diff))


def delete_customer(customer_id: str) -> None:
    repo.delete(get_customer(customer_id))


def list_customers(limit: int, next_token: str | None) -> Page[Customer]:
    return repo.list_page(limit, next_token)


def customer_timeline(customer_id: str, limit: int, next_token: str | None) -> Page[domain.TimelineEvent]:
    get_customer(customer_id)
    return repo.timeline(customer_id, limit, next_token)


def register(registration: Registration) -> Customer:
    """A shopper opens an account: registered, in the default group, email not yet verified."""
    customer = domain.new_customer(registration, registered=True, status=CustomerStatus.ACTIVE)
    event = domain.customer_created_event(f"customer:{customer.id}", registered=True)
    return repo.create(customer, event, password_hash=hash_password(registration.password))


def log_in(email: str, password: str, settings: Settings) -> str:
    """A customer token for the right password; the same answer for an unknown email or a wrong password."""
    found = repo.find_login(email)
    customer, password_hash = found if found else (None, None)
    if not verify_password(password, password_hash) or customer is None:
        raise Unauthorized("Wrong email or password.")
    if not CustomerStatus.can_log_in(customer.status):
        raise Forbidden(f"This account is {customer.status}.")
    return issue_customer_token(customer.id, settings.customer_token_secret, settings.customer_token_ttl_seconds)


def own_profile(principal: Principal) -> Customer:
    """The calling customer's record; a token of a deleted or switched-off account stops working."""
    customer = repo.get(principal.subject)
    if customer is None:
        raise Unauthorized("The account no longer exists.")
    if not CustomerStatus.can_log_in(customer.status):
        raise Forbidden(f"This account is {customer.status}.")
    return customer


def update_own_profile(principal: Principal, changes: ProfileChanges) -> Customer:
    own_profile(principal)
    as_staff_change = CustomerChanges(**changes.model_dump(exclude_unset=True))
    return update_customer(principal.subject, as_staff_change, actor=f"customer:{principal.subject}")
