"""Admin: the catalogue (/admin/products)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.routing import ANY_STAFF, page_of, route, staff
from chalicelib.domain.tokens import Principal

if TYPE_CHECKING:
    from chalicelib.domain.product_inputs import ProductChanges, ProductDraft, ProductQuery

bp = Blueprint(__name__)
PRODUCTS = "chalicelib.domain.products"
INPUTS = "chalicelib.domain.product_inputs"


@route(bp, "/products", "GET", access=ANY_STAFF, query=f"{INPUTS}:ProductQuery", response=page_of(f"{PRODUCTS}:Product"),
       summary="Every product (any status), by name; q: a sku or the start of a name")
def list_products(principal: Principal, query: ProductQuery):
    from chalicelib.services import products

    return products.list_products(query.limit, query.next_token, active_only=False, q=query.q)


@route(bp, "/products", "POST", access=staff("admin"), body=f"{INPUTS}:ProductDraft", response=f"{PRODUCTS}:Product", status=201,
       summary="Add a product")
def create_product(principal: Principal, body: ProductDraft):
    from chalicelib.services import products

    return products.create_product(body)


@route(bp, "/products/{sku}", "GET", access=ANY_STAFF, response=f"{PRODUCTS}:Product", summary="A product")
def get_product(principal: Principal, sku: str):
    from chalicelib.services import products

    return products.get_product(sku)


@route(bp, "/products/{sku}", "PATCH", access=staff("admin"), body=f"{INPUTS}:ProductChanges", response=f"{PRODUCTS}:Product",
       summary="Change a product (price, status, stock, suppliers...)")
def update_product(principal: Principal, sku: str, body: ProductChanges):
    from chalicelib.services import products

    return products.update_product(sku, body)
