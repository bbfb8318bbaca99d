"""Imported orders by their platform reference: `ORDERREF#<ref>/ORDERREF` -> order, job and row; and
the rows of a job added to an order: `IMPROW#<job>#<row>/IMPROW`. Both are written in the order's
own transaction (conditioned: new), so a reference becomes one order and a row one line, once."""
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.order_imports import ImportedOrderRef, ImportedRows, OrderRef
from chalicelib.store.models import ALL_OLD, ExternalIdItem, ImportedOrderRefItem, ImportedRowItem, failed_conditions

_REF, _ROW = "ORDERREF", "IMPROW"


def _ref_key(ref: str) -> tuple[str, str]:
    return f"{_REF}#{ref}", _REF


def find(refs: list[str]) -> dict[str, OrderRef]:
    """The references imported already, by reference: one BatchGet per 100."""
    if not refs:
        return {}
    found = ImportedOrderRefItem.batch_get([_ref_key(ref) for ref in dict.fromkeys(refs)])
    return {item.PK.removeprefix(f"{_REF}#"): OrderRef(item.order_id, item.job_id, int(item.row)) for item in found}


def customers_by_external_id(external_ids: list[str]) -> dict[str, str]:
    """Customer ids by the id they had on the platform they were imported from."""
    if not external_ids:
        return {}
    from chalicelib.store.customer_bulk import external_id_pk

    found = ExternalIdItem.batch_get([(external_id_pk(e), "EXTID") for e in dict.fromkeys(external_ids)])
    return {item.PK.removeprefix("EXTID#"): item.customer_id for item in found}


def stage_ref(tx: TransactWrite, taken: ImportedOrderRef) -> None:
    pk, sk = _ref_key(taken.ref)
    tx.save(ImportedOrderRefItem(PK=pk, SK=sk, order_id=taken.pointer.order_id, job_id=taken.pointer.job_id,
                                 row=taken.pointer.row), condition=ImportedOrderRefItem.PK.does_not_exist(),
            return_values=ALL_OLD)


def stage_rows(tx: TransactWrite, added: ImportedRows) -> None:
    for row in added.rows:
        tx.save(ImportedRowItem(PK=f"{_ROW}#{added.job_id}#{row}", SK=_ROW, order_id=added.order_id),
                condition=ImportedRowItem.PK.does_not_exist(), return_values=ALL_OLD)


def already_imported(error: TransactWriteError) -> bool:
    """The transaction was cancelled because the reference or the rows were imported already."""
    return bool({"imported_order_ref", "imported_row"} & failed_conditions(error))
