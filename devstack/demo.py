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


_PRODUCTS = [
    {"sku": "MUG-01", "name": "Enamel mug", "price": 1250, "category": "Kitchen", "brand": "Tinware",
     "suppliers": [{"name": "Tinware Ltd", "price": 400}, {"name": "Cheap Cups", "price": 310}]},
    {"sku": "TEA-01", "name": "Assam tea, 250 g", "price": 800, "category": "Tea"},
    {"sku": "BAG-01", "name": "Canvas bag", "price": 2000, "category": "Bags", "stock": 12},
]
# One order, paid by wire transfer (its two emails go out through the stream): a fixed id, so a
# second --demo run finds it placed already.
_ORDER_ID = "01JDEM0RDER0000000000000AD"


def load_products() -> tuple[int, int]:
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.product_inputs import ProductDraft
    from chalicelib.services import products

    created = skipped = 0
    for fields in _PRODUCTS:
        try:
            products.create_product(ProductDraft(**fields))
            created += 1
        except Conflict:
            skipped += 1
    return created, skipped


def load_orders() -> tuple[int, int]:
    from chalicelib.domain.errors import OrderExists
    from chalicelib.domain.order_inputs import LineInput
    from chalicelib.services import orders
    from chalicelib.store import customers as customer_store

    found = customer_store.find_login(_STAFF_CREATED[0]["email"])
    if found is None:
        return 0, 0
    customer, _ = found
    address = {"name": "Ada Lovelace", "company": "Analytical Engines", "line1": "12 St James's Square",
               "city": "London", "zip": "SW1Y 4JH", "country": "GB"}
    try:
        orders.place_order(orders.NewOrder(
            lines=orders.catalogue_lines([LineInput(sku="MUG-01", quantity=2), LineInput(sku="TEA-01", quantity=3)],
                                         staff_prices=False),
            payment_method="wire_transfer", delivery_method="standard", customer=customer, billing_address=address,
            shipping_address=address, attribution={"channel": "demo"}, order_id=_ORDER_ID), actor="staff:demo")
    except OrderExists:
        return 0, 1
    return 1, 0


LOADERS = {"customers": load_customers, "products": load_products, "orders": load_orders}


def load() -> None:
    for kind, loader in LOADERS.items():
        created, skipped = loader()
        log(f"demo {kind}: {created} created, {skipped} already there")
