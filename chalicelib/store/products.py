"""Products: `PRODUCT#<sku>/PRODUCT`; GSI1 `PRODUCTS` (all, by name) for staff; GSI2 `PRODUCTS#active`
(sparse: active only, by name) for the storefront."""
import dataclasses
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain.errors import Conflict
from chalicelib.domain.pages import Page
from chalicelib.domain.products import Product, ProductStatus, Supplier
from chalicelib.domain.text import fold
from chalicelib.store.models import ProductItem, condition_failed
from chalicelib.store.pagination import decode_token, encode_token

_FIELDS = ("sku", "name", "price", "status", "category", "brand", "stock", "created_at", "updated_at")


def _key(sku: str) -> tuple[str, str]:
    return f"PRODUCT#{sku}", "PRODUCT"


def _index_attributes(product: Product) -> dict[str, Any]:
    by_name = f"{fold(product.name)}#{product.sku}"
    active = product.status == ProductStatus.ACTIVE
    return {"GSI1PK": "PRODUCTS", "GSI1SK": by_name,
            "GSI2PK": "PRODUCTS#active" if active else None, "GSI2SK": by_name if active else None}


def _to_domain(item: ProductItem) -> Product:
    fields = {name: getattr(item, name) for name in _FIELDS}
    fields["price"] = int(fields["price"])
    fields["stock"] = None if fields["stock"] is None else int(fields["stock"])
    return Product(suppliers=[Supplier(**s) for s in item.suppliers], version=item.version, **fields)


def create(product: Product) -> Product:
    attributes = {**_index_attributes(product), **{name: getattr(product, name) for name in _FIELDS}}
    pk, sk = _key(product.sku)
    item = ProductItem(pk, sk, suppliers=[dataclasses.asdict(s) for s in product.suppliers], **attributes)
    try:
        item.save(condition=ProductItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            raise Conflict(f"A product with sku '{product.sku}' already exists.", [{"field": "sku"}]) from error
        raise
    return dataclasses.replace(product, version=item.version)


def get(sku: str) -> Product | None:
    try:
        return _to_domain(ProductItem.get(*_key(sku), consistent_read=True))
    except ProductItem.DoesNotExist:
        return None


def update(product: Product) -> Product:
    """Save under the version read (409 if someone changed it meanwhile); index keys follow."""
    item = ProductItem(*_key(product.sku))
    item.version = product.version
    values = {**{name: getattr(product, name) for name in _FIELDS if name not in ("sku", "created_at")},
              "suppliers": [dataclasses.asdict(s) for s in product.suppliers], **_index_attributes(product)}
    actions = [getattr(ProductItem, k).set(v) if v is not None else getattr(ProductItem, k).remove() for k, v in values.items()]
    try:
        item.update(actions=actions)
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("The product was changed by someone else meanwhile; read it again and retry.") from error
        raise
    return dataclasses.replace(product, version=item.version)


def page(limit: int, next_token: str | None, active_only: bool, name_prefix: str | None = None) -> Page[Product]:
    """By name: one Query per page, on GSI2 (active only) or GSI1 (every product); `name_prefix`
    (folded) is a key condition on the name."""
    index, partition, keys = ((ProductItem.gsi2, "PRODUCTS#active", {"PK", "SK", "GSI2PK", "GSI2SK"}) if active_only
                              else (ProductItem.gsi1, "PRODUCTS", {"PK", "SK", "GSI1PK", "GSI1SK"}))
    sort_key = getattr(ProductItem, index.Meta.index_name + "SK")
    condition = sort_key.startswith(fold(name_prefix)) if name_prefix else None
    result = index.query(partition, condition, limit=limit, last_evaluated_key=decode_token(next_token, keys))
    items = [_to_domain(i) for i in result]
    return Page(items=items, next_token=encode_token(result.last_evaluated_key))


def get_many(skus: list[str]) -> dict[str, Product]:
    """The products of these skus that exist, by sku: one BatchGet."""
    wanted = list(dict.fromkeys(skus))
    return {i.sku: _to_domain(i) for i in ProductItem.batch_get([_key(s) for s in wanted])} if wanted else {}
