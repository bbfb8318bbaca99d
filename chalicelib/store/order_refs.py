"""The rows of a job added to an imported order: `IMPROW#<job>#<row>/IMPROW`, written in the order's own
transaction (conditioned: new), so a row becomes one line, once; and customers by the id they had on
the platform imported from. A reference needs no item of its own: the order's id is made of it
(domain.order_imports.order_id_of), so the order's own condition (new) takes the reference, and
store/orders.imported_pointers finds it."""
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.order_imports import ImportedRows
from chalicelib.store.models import ALL_OLD, ExternalIdItem, ImportedRowItem, failed_conditions

_ROW = "IMPROW"


def customers_by_external_id(external_ids: list[str]) -> dict[str, str]:
    """Customer ids by the id they had on the platform they were imported from."""
    if not external_ids:
        return {}
    from chalicelib.store.customer_bulk import external_id_pk

    found = ExternalIdItem.batch_get([(external_id_pk(e), "EXTID") for e in dict.fromkeys(external_ids)])
    return {item.PK.removeprefix("EXTID#"): item.customer_id for item in found}


def stage_rows(tx: TransactWrite, added: ImportedRows) -> None:
    for row in added.rows:
        tx.save(ImportedRowItem(PK=f"{_ROW}#{added.job_id}#{row}", SK=_ROW, order_id=added.order_id),
                condition=ImportedRowItem.PK.does_not_exist(), return_values=ALL_OLD)


def already_imported(error: TransactWriteError) -> bool:
    """The transaction was cancelled because the rows were imported already."""
    return "imported_row" in failed_conditions(error)
