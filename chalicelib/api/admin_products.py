"""Admin: the catalogue (/admin/products)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, route, staff
from chalicelib.domain.products import Product
from chalicelib.lazy import lazy_import

bp = Blueprint(__name__)
products = lazy_import("chalicelib.services.products")
INPUTS = "chalicelib.domain.product_inputs"


@route(bp, "/products", "GET", access=ANY_STAFF, query=f"{INPUTS}:ProductQuery", response=list[Product],
       summary="Every product (any status), by name; q: a sku or the start of a name")
def list_products(principal, query):
    return products.list_products(query.limit, query.next_token, active_only=False, q=query.q)


@route(bp, "/products", "POST", access=staff("admin"), body=f"{INPUTS}:ProductDraft", response=Product, status=201,
       summary="Add a product")
def create_product(principal, body):
    return products.create_product(body)


@route(bp, "/products/{sku}", "GET", access=ANY_STAFF, response=Product, summary="A product")
def get_product(principal, sku: str):
    return products.get_product(sku)


@route(bp, "/products/{sku}", "PATCH", access=staff("admin"), body=f"{INPUTS}:ProductChanges", response=Product,
       summary="Change a product (price, status, stock, suppliers...)")
def update_product(principal, sku: str, body):
    return products.update_product(sku, body)
