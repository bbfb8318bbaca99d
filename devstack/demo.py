"""`--demo`: a small demo data set, loaded through the service layer (so it obeys the same rules as the API).

Idempotent: what already exists is skipped, so `make run ARGS=--demo` may be repeated on kept data.
Add a kind by writing a loader returning (created, skipped) and listing it in LOADERS."""
from functools import partial

from devstack import log

_STAFF_CREATED = [
    {"email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines",
     "accepts_marketing": True},
    {"email": "alan.turing@example.com", "first_name": "Alan", "last_name": "Turing", "phone": "+44 20 7946 0000"},
    {"email": "grace.hopper@example.com", "first_name": "Grace", "last_name": "Hopper", "status": "inactive",
     "comment": "Asked to pause her account."},
]
# Registered shoppers: their welcome (or verification) email is sent by the stream handler (see .local/mail).
_REGISTERED = [
    {"email": "katherine.johnson@example.com", "first_name": "Katherine", "last_name": "Johnson",
     "password": "demo-password-1"},
    {"email": "edsger.dijkstra@example.com", "first_name": "Edsger", "last_name": "Dijkstra",
     "password": "demo-password-2", "accepts_marketing": True},
]


def load_customers() -> tuple[int, int]:
    from chalicelib.domain.customer_inputs import CustomerDraft, Registration
    from chalicelib.domain.errors import Conflict
    from chalicelib.services import accounts, customers
    from chalicelib.settings import get_settings

    created = skipped = 0
    operations = [partial(customers.create_customer, CustomerDraft(**fields), actor="staff:demo")
                  for fields in _STAFF_CREATED]
    operations += [partial(accounts.register, Registration(**fields), get_settings()) for fields in _REGISTERED]
    for operation in operations:
        try:
            operation()
            created += 1
        except Conflict:  # the email is taken: loaded by an earlier run
            skipped += 1
    return created, skipped


LOADERS = {"customers": load_customers}


def load() -> None:
    for kind, loader in LOADERS.items():
        created, skipped = loader()
        log(f"demo {kind}: {created} created, {skipped} already there")
