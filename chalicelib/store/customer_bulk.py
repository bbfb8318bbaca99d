"""The write path of customer imports: many customers per request, few items per customer.

A created customer is its email guard (conditioned: new; it records the job and row that created
it, so a redone step recognises its own work) and its profile (conditioned: new), written together;
an updated one is its profile (conditioned on the version read). Up to 50 customers go in one
TransactWriteItems, several transactions at once. Once a transaction is committed, what follows its
customers (a `customer_imported` event, the external id pointer, the address) is put in
BatchWriteItems: idempotent puts under ids derived from the job and row, which a step redone after a
crash puts again (`complete`). Transactions cost twice a plain write and DynamoDB Local runs them one
at a time: keeping them to the items that must be atomic makes the import ~1.7x faster there
(bench/imports.py). Search entries, address search entries and tag items are derived data: the
profile and address carry `index_pending`, and the stream writes them in bulk
(services/search_index.py).

Raw DynamoDB requests (items serialised by the PynamoDB models, so they read back as any other):
the cancellation reasons of a transaction are then in the order the items were sent, which tells
exactly which customer's condition failed."""
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.domain.addresses import AddressFields
from chalicelib.domain.customers import PROFILE_FIELDS, Customer
from chalicelib.domain.text import normalize_email
from chalicelib.domain.timeline import TimelineEvent
from chalicelib.settings import get_settings
from chalicelib.store.customers import _index_attributes, customer_pk, event_item
from chalicelib.store.models import AddressItem, CustomerItem, EmailGuardItem, ExternalIdItem
from chalicelib.store.raw_requests import batch_get, batch_write, retrying, table_name

_PROFILE = "PROFILE"
_PER_TRANSACTION = 50  # at most 2 items each (guard and profile): within DynamoDB's 100


@dataclass
class Guard:
    """Who owns an email, and which import row created it (if one did)."""

    customer_id: str
    job_id: str | None = None
    row: int | None = None


@dataclass
class ImportedCustomer:
    """One customer's write: `before` None creates it."""

    row: int
    before: Customer | None
    after: Customer
    event: TimelineEvent
    address: tuple[str, AddressFields] | None = None  # a new address (id, fields)


def external_id_pk(external_id: str) -> str:
    """`EXTID#<id>/EXTID` -> customer id: orders imported later find their customer by it."""
    return f"EXTID#{external_id}"


def guards(emails: Iterable[str]) -> dict[str, Guard]:
    """The guards of these emails, by normalised email."""
    keys = [{"PK": {"S": f"EMAIL#{e}"}, "SK": {"S": "EMAIL"}} for e in dict.fromkeys(normalize_email(x) for x in emails)]
    result = {}
    for raw in batch_get(keys):
        item = EmailGuardItem.from_raw_data(raw)
        row = raw.get("import_row", {}).get("N")
        result[item.PK.removeprefix("EMAIL#")] = Guard(item.customer_id, raw.get("import_job", {}).get("S"),
                                                       int(row) if row else None)
    return result


def profiles(customer_ids: Iterable[str]) -> dict[str, Customer]:
    """Profiles read consistently (a step must see what it wrote), by id."""
    from chalicelib.store.customers import _to_domain

    keys = [{"PK": {"S": customer_pk(c)}, "SK": {"S": _PROFILE}} for c in dict.fromkeys(customer_ids)]
    return {c.id: c for c in (_to_domain(CustomerItem.from_raw_data(raw)) for raw in batch_get(keys))}


def _profile_item(customer: Customer) -> dict:
    item = CustomerItem(PK=customer_pk(customer.id), SK=_PROFILE, order_count=customer.stats.order_count,
                        total_spent=customer.stats.total_spent, last_order_at=customer.stats.last_order_at,
                        **_index_attributes(customer), **{name: getattr(customer, name) for name in PROFILE_FIELDS})
    raw = item.serialize()
    raw.update({"version": {"N": "1"}, "index_pending": {"BOOL": True}})
    return raw


def _address_item(customer_id: str, address_id: str, fields: AddressFields) -> dict:
    raw = AddressItem(PK=customer_pk(customer_id), SK=f"ADDR#{address_id}", id=address_id, customer_id=customer_id,
                      fields=fields.model_dump(mode="json")).serialize()
    raw["index_pending"] = {"BOOL": True}
    return raw


def _profile_update(stored: Customer, write: ImportedCustomer) -> dict:
    """SET the fields that changed (and the index keys they move), bump the version, mark the
    derived items pending; conditioned on the version read (`stored`)."""
    before, after = _profile_item(stored), _profile_item(write.after)
    names = {n for n in after if n not in ("PK", "SK", "version") and after[n] != before.get(n)} | {"index_pending"}
    removed = {n for n in before if n not in after and n not in ("PK", "SK")}
    values = {f":v{i}": after[n] for i, n in enumerate(sorted(names))}
    aliases = {f"#a{i}": n for i, n in enumerate(sorted(names))}
    removed_aliases = {f"#r{i}": n for i, n in enumerate(sorted(removed))}
    expression = "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(names))) + ", #version = #version + :one"
    if removed:
        expression += " REMOVE " + ", ".join(removed_aliases)
    return {"Update": {
        "TableName": table_name(), "Key": {"PK": after["PK"], "SK": after["SK"]}, "UpdateExpression": expression,
        "ConditionExpression": "#version = :seen",
        "ExpressionAttributeNames": {**aliases, **removed_aliases, "#version": "version"},
        "ExpressionAttributeValues": {**values, ":one": {"N": "1"}, ":seen": {"N": str(stored.version)}},
        "ReturnValuesOnConditionCheckFailure": "NONE"}}


def _transaction_items(write: ImportedCustomer, job_id: str) -> list[dict]:
    """What must be written together: a new customer's email guard and profile (each conditioned:
    new), or an updated customer's profile (conditioned on the version read). A condition failing
    means the customer changed meanwhile (decided again by the caller)."""
    customer = write.after
    if write.before is not None:
        return [_profile_update(write.before, write)]
    guard = {"PK": {"S": f"EMAIL#{normalize_email(customer.email)}"}, "SK": {"S": "EMAIL"},
             "type": {"S": "email_guard"}, "customer_id": {"S": customer.id}, "import_job": {"S": job_id},
             "import_row": {"N": str(write.row)}}
    table, new = table_name(), "attribute_not_exists(PK)"
    return [{"Put": {"TableName": table, "Item": guard, "ConditionExpression": new}},
            {"Put": {"TableName": table, "Item": _profile_item(customer), "ConditionExpression": new}}]


def _following_items(write: ImportedCustomer) -> list[dict]:
    """What follows a committed customer: its event, its external id pointer (new or changed), its
    address. Idempotent puts: ids derived from the job and row."""
    customer = write.after
    items = [event_item(customer.id, write.event).serialize()]
    if customer.external_id and (write.before is None or write.before.external_id != customer.external_id):
        items.append(ExternalIdItem(PK=external_id_pk(customer.external_id), SK="EXTID", customer_id=customer.id).serialize())
    if write.address is not None:
        items.append(_address_item(customer.id, *write.address))
    return [{"PutRequest": {"Item": item}} for item in items]


def complete(writes: list[ImportedCustomer]) -> None:
    """Put what follows these committed customers (their transactions are done): a step redone after
    a crash puts it again for the customers it had created."""
    batch_write([request for write in writes for request in _following_items(write)])


def _write_group(group: list[ImportedCustomer], job_id: str) -> list[ImportedCustomer]:
    """One transaction for the group; the customers whose conditions failed are taken out and the
    rest written again; then what follows the committed ones. Returns those that changed meanwhile."""
    changed: list[ImportedCustomer] = []
    while group:
        parts = [(write, _transaction_items(write, job_id)) for write in group]
        request = [item for _, items in parts for item in items]
        try:
            retrying(partial(client("dynamodb").transact_write_items, TransactItems=request))
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if error.response["Error"]["Code"] != "TransactionCanceledException" or not reasons:
                raise
            failed, position = [], 0
            for write, items in parts:
                codes = [reasons[position + k].get("Code") for k in range(len(items))]
                position += len(items)
                if "ConditionalCheckFailed" in codes:
                    failed.append(write)
            if not failed:
                raise
            changed += failed
            group = [write for write in group if write not in failed]
            continue
        complete(group)
        return changed
    return changed


def write(writes: list[ImportedCustomer], job_id: str) -> list[ImportedCustomer]:
    """Write the customers, several transactions at once. Returns the writes whose customer changed
    meanwhile (an email taken by another file or a registration, a profile edited): the caller
    reads them again and decides anew. The others are committed, and what follows them put."""
    groups = [writes[i:i + _PER_TRANSACTION] for i in range(0, len(writes), _PER_TRANSACTION)]
    with ThreadPoolExecutor(get_settings().bulk_write_threads) as pool:
        return [w for changed in pool.map(lambda g: _write_group(g, job_id), groups) for w in changed]
