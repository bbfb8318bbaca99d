"""The catalogue: staff manage products; shoppers see active ones only."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from chalicelib.domain.clock import utc_now
from chalicelib.domain.errors import NotFound
from chalicelib.domain.pages import Page
from chalicelib.domain.products import Product, ProductStatus, Supplier
from chalicelib.store import products as repo

if TYPE_CHECKING:
    from chalicelib.domain.product_inputs import ProductChanges, ProductDraft


def create_product(draft: ProductDraft) -> Product:
    now = utc_now()
    fields = draft.model_dump(exclude={"suppliers"})
    return repo.create(Product(created_at=now, updated_at=now, suppliers=[Supplier(**s.model_dump()) for s in draft.suppliers],
                               **fields))


def get_product(sku: str, active_only: bool = False) -> Product:
    product = repo.get(sku)
    if product is None or (active_only and product.status != ProductStatus.ACTIVE):
        raise NotFound("No product with this sku.")
    return product


def update_product(sku: str, changes: ProductChanges) -> Product:
    before = get_product(sku)
    sent = changes.model_dump(exclude_unset=True)
    if "suppliers" in sent:
        sent["suppliers"] = [Supplier(**s) for s in sent["suppliers"]]
    if not sent:
        return before
    return repo.update(dataclasses.replace(before, **sent, updated_at=utc_now()))


def list_products(limit: int, next_token: str | None, active_only: bool, q: str | None = None) -> Page[Product]:
    """By name; with `q`, the product whose sku it is (first page) and those whose name starts with it."""
    page = repo.page(limit, next_token, active_only, name_prefix=q)
    exact = repo.get(q.strip()) if q and not next_token else None
    if exact is None or (active_only and exact.status != ProductStatus.ACTIVE) or any(p.sku == exact.sku for p in page.items):
        return page
    return Page(items=[exact, *page.items], next_token=page.next_token)
