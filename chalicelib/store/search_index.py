"""Derived items written in bulk: the search entries and tag items of customer profiles, and the
search entries of addresses, for records marked `index_pending` (an import writes the record alone;
the stream completes it here).

Each pending record is read again (consistently): what is indexed is the record as it is now, so a
late stream record never brings back an old name. The entries of the image before the change that
the new text no longer has are deleted. Then the mark is removed, conditioned on the record being
unchanged since it was read (else a later stream record does it again). Every write is idempotent:
a redelivered batch does nothing twice."""
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.domain.addresses import AddressFields
from chalicelib.domain.search import address_searchable, customer_searchable
from chalicelib.domain.text import fold
from chalicelib.settings import get_settings
from chalicelib.store.models import AddressItem, CustomerItem, TableItem
from chalicelib.store.raw_requests import batch_get, batch_write, table_name

PENDING = "index_pending"


@dataclass
class PendingRecord:
    """A profile or address marked for indexing, with the image it had before this change."""

    pk: str
    sk: str
    old_image: dict | None


def pending(event_name: str, old_image: dict | None, new_image: dict | None) -> PendingRecord | None:
    """The record to index if this change left it marked, else None."""
    if event_name == "REMOVE" or not new_image or not new_image.get(PENDING, {}).get("BOOL"):
        return None
    return PendingRecord(new_image["PK"]["S"], new_image["SK"]["S"], old_image)


def write_all(puts: dict[tuple[str, str], dict], deletes: set[tuple[str, str]]) -> None:
    requests = [{"PutRequest": {"Item": item}} for item in puts.values()]
    requests += [{"DeleteRequest": {"Key": {"PK": {"S": pk}, "SK": {"S": sk}}}} for pk, sk in deletes - set(puts)]
    batch_write(requests, get_settings().bulk_write_threads)


def _entry(pk: str, sk: str, customer_id: str, text: str) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}, "type": {"S": "search_entry"}, "customer_id": {"S": customer_id},
            "text": {"S": text}}


def customer_text(item: CustomerItem, folding: Callable[[str], str] = fold) -> tuple[str, list[str]]:
    return customer_searchable(item.first_name, item.last_name, item.email, item.phone, folding=folding)


def address_text(item: AddressItem, folding: Callable[[str], str] = fold) -> tuple[str, list[str]]:
    fields = AddressFields(**item.fields)
    return address_searchable(fields.line1, fields.line2, fields.city, fields.region, fields.zip, fields.country,
                              folding=folding)


def _customer_grams(item: CustomerItem | None) -> list[str]:
    return customer_text(item)[1] if item is not None else []


def _address_grams(item: AddressItem | None) -> list[str]:
    return address_text(item)[1] if item is not None else []


def _derived(current: TableItem, before: TableItem | None) -> tuple[dict, set]:
    """The derived items of a record as it is now, and the keys of those it had before and lost."""
    puts: dict[tuple[str, str], dict] = {}
    deletes: set[tuple[str, str]] = set()
    if isinstance(current, CustomerItem):
        owner = f"CUST#{current.id}"
        text, grams = customer_text(current)
        for gram in grams:
            puts[(f"SEARCH#{gram}", owner)] = _entry(f"SEARCH#{gram}", owner, current.id, text)
        deletes |= {(f"SEARCH#{g}", owner) for g in _customer_grams(before if isinstance(before, CustomerItem) else None)}
        for tag in current.tags or []:
            puts[(owner, f"TAG#{tag}")] = {"PK": {"S": owner}, "SK": {"S": f"TAG#{tag}"}, "type": {"S": "tag"},
                                          "GSI1PK": {"S": f"TAG#{tag}"}, "GSI1SK": {"S": owner},
                                          "customer_id": {"S": current.id}, "tag": {"S": tag}}
        old_tags = before.tags if isinstance(before, CustomerItem) else []
        deletes |= {(owner, f"TAG#{t}") for t in old_tags or []}
    elif isinstance(current, AddressItem):
        owner = f"CUST#{current.customer_id}#{current.id}"
        text, grams = address_text(current)
        for gram in grams:
            puts[(f"ADDRSEARCH#{gram}", owner)] = _entry(f"ADDRSEARCH#{gram}", owner, current.customer_id, text)
        deletes |= {(f"ADDRSEARCH#{g}", owner) for g in _address_grams(before if isinstance(before, AddressItem) else None)}
    return puts, deletes


def _clear_mark(raw: dict) -> None:
    """Remove the mark unless the record changed since it was read (then a later record redoes it)."""
    if "version" in raw:
        condition, values = "#v = :v", {":v": raw["version"]}
        names = {"#p": PENDING, "#v": "version"}
    else:
        condition, values, names = "attribute_exists(#p)", None, {"#p": PENDING}
    request = {"TableName": table_name(), "Key": {"PK": raw["PK"], "SK": raw["SK"]}, "UpdateExpression": "REMOVE #p",
               "ConditionExpression": condition, "ExpressionAttributeNames": names}
    if values:
        request["ExpressionAttributeValues"] = values
    try:
        client("dynamodb").update_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


def index(records: Iterable[PendingRecord]) -> int:
    """Write the derived items of the records still marked; returns how many records were indexed."""
    latest: dict[tuple[str, str], PendingRecord] = {}
    for record in records:  # a key's first record holds its text before any change of this batch
        latest.setdefault((record.pk, record.sk), record)
    if not latest:
        return 0
    current = [raw for raw in batch_get([{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in latest])
               if raw.get(PENDING, {}).get("BOOL")]
    puts: dict = {}
    deletes: set = set()
    for raw in current:
        record = latest[(raw["PK"]["S"], raw["SK"]["S"])]
        before = TableItem.from_raw_data(record.old_image) if record.old_image else None
        more_puts, more_deletes = _derived(TableItem.from_raw_data(raw), before)
        puts.update(more_puts)
        deletes |= more_deletes
    write_all(puts, deletes)
    with ThreadPoolExecutor(get_settings().bulk_write_threads) as pool:
        list(pool.map(_clear_mark, current))
    return len(current)
