"""Products: `PRODUCT#<sku>/PRODUCT`; GSI1 `PRODUCTS` (all, by name) for staff; GSI2 `PRODUCTS#active`
(sparse: active only, by name) for the storefront.

A product's `stock` (absent: not tracked) moves only inside the transactions of the orders that take
or put back goods (`stage_stock`), by ADD under a condition, never by a read-modify-write."""
import dataclasses
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, DomainError, OutOfStock
from chalicelib.domain.orders import StockChange
from chalicelib.domain.pages import Page
from chalicelib.domain.products import Product, ProductStatus, Supplier
from chalicelib.domain.text import fold
from chalicelib.store.models import ALL_OLD, ProductItem, condition_failed, transact_write, unchecked_version
from chalicelib.store.pagination import decode_token, encode_token

_TYPE = "product"
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
    item = _item_of(product)
    try:
        item.save(condition=ProductItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            raise Conflict(f"A product with sku '{product.sku}' already exists.", [{"field": "sku"}]) from error
        raise
    return dataclasses.replace(product, version=item.version)


def _item_of(product: Product) -> ProductItem:
    attributes = {**_index_attributes(product), **{name: getattr(product, name) for name in _FIELDS}}
    return ProductItem(*_key(product.sku), suppliers=[dataclasses.asdict(s) for s in product.suppliers], **attributes)


def create_missing(products: list[Product]) -> dict[str, Product]:
    """Create these products where their sku is new, 25 per transaction (conditioned: new; a sku
    created meanwhile by someone else stays theirs). Returns the products as stored, by sku."""
    stored: dict[str, Product] = {}
    pending = list(products)
    while pending:
        group, pending = pending[:25], pending[25:]
        try:
            with transact_write() as tx:
                for product in group:
                    tx.save(_item_of(product), condition=ProductItem.PK.does_not_exist())
            stored.update({p.sku: p for p in group})
        except TransactWriteError:  # one of them exists now: one by one
            for product in group:
                try:
                    stored[product.sku] = create(product)
                except Conflict:
                    stored[product.sku] = get(product.sku) or product
    return stored


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


def stage_stock(tx: TransactWrite, changes: Iterable[StockChange]) -> None:
    """Add the stock moves of an order change to its transaction. Taking is conditioned on enough being
    in stock (it never goes below zero), putting back on the stock still being tracked; the stored
    product comes back with a failed condition (ALL_OLD) so `stock_refusal` can say why. The version is
    bumped, not checked: orders do not conflict with each other, but a staff edit made on a product
    read before the move is answered 409 (it would write back the stock it read)."""
    for change in changes:
        key = unchecked_version(ProductItem(*_key(change.sku)))
        enough = ProductItem.stock >= change.quantity if change.quantity > 0 else ProductItem.stock.exists()
        tx.update(key, actions=[ProductItem.stock.add(-change.quantity)], condition=enough, return_values=ALL_OLD,
                  add_version_condition=False)


def stock_refusal(error: TransactWriteError) -> DomainError | None:
    """OutOfStock naming the skus whose stock was short when a transaction with `stage_stock` was
    cancelled; a Conflict if a product stopped tracking its stock meanwhile; None if no product's
    condition was the cause."""
    short: list[str] = []
    untracked: list[str] = []
    for reason in error.cancellation_reasons or []:
        raw = reason.raw_item if reason is not None and reason.code == "ConditionalCheckFailed" else None
        if raw and raw.get("type", {}).get("S") == _TYPE:
            (short if "stock" in raw else untracked).append(raw["sku"]["S"])
    if untracked:
        return Conflict("A product's stock tracking changed meanwhile; try again.", [{"sku": sku} for sku in untracked])
    return OutOfStock(sorted(short)) if short else None
