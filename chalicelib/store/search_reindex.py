"""The search re-index job's reading and writing (services/search_reindex.py): the only code that scans
the table, in a module that only that background job loads (no route or request handler imports it).

A parallel Scan's page of each segment is brought to today's fold; every write is conditioned on the
record as read, or idempotent, so a page redone after a crash finds its own work done."""
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from chalicelib.aws_clients import client
from chalicelib.domain.search import is_outdated_gram
from chalicelib.domain.text import legacy_fold
from chalicelib.store.models import AddressItem, CustomerItem, ProductItem, TableItem
from chalicelib.store.raw_requests import batch_get, table_name
from chalicelib.store.search_index import (
    PENDING,
    PendingRecord,
    address_text,
    customer_text,
    index,
    write_all,
)

_SCANNED_TYPES = ("customer", "address", "product", "search_entry")
_ENTRY_PREFIXES = ("SEARCH#", "ADDRSEARCH#")
_RETRIES = 5  # a record changed meanwhile is read again and looked at anew, this many times


@dataclass
class ReindexedPage:
    """What one page of the re-index scan found and did. `next_key` is where its segment goes on
    (None: the segment is done)."""

    next_key: dict | None
    scanned: int = 0
    reindexed: int = 0  # profiles and addresses given entries under today's fold; profiles and products re-keyed
    up_to_date: int = 0  # records the new fold changes, found indexed under it already
    deleted: int = 0  # entries under a trigram today's fold cannot produce (written with the legacy fold)
    refused: list[str] = field(default_factory=list)  # keys of records whose stored fields today's rules refuse


@dataclass
class _Plan:
    """What a record needs: index keys set (None: removed), and new entries if its text changed and
    its first entry does not hold the text yet."""

    pk: str
    sk: str
    condition: tuple[str, dict, dict]  # the record as read: (expression, names, values)
    keys: dict[str, str | None]
    changed_text: bool
    pending: bool  # marked already (an import's record the stream has not indexed yet)
    first_entry: tuple[str, str] | None = None
    text: str = ""

    def mark(self, entries: dict[tuple[str, str], str]) -> bool:
        """Whether to mark it for new entries, given the texts of the first entries read."""
        indexed = self.first_entry is None or entries.get(self.first_entry) == self.text
        return self.changed_text and (self.pending or not indexed)


def reindex_page(segment: int, total_segments: int, start: dict | None, limit: int) -> ReindexedPage:
    """One page of one segment of a parallel Scan of the table, brought to today's fold:
    - a search entry under a trigram the fold cannot produce is deleted: it was written with the
      legacy fold, no query reads it (queries are folded), and its text would outlive its customer;
    - a profile or address whose searchable text the fold changes, and that is not indexed under it
      yet (its first entry does not hold its text), is marked `index_pending` and indexed at once by
      the stream's own code (`index`), whose mark makes a concurrent edit redo it;
    - a profile's list keys and a product's name keys are computed again and set where they differ.
    Every write is conditioned on the record as read (read again and redone if it changed), so the
    page may be redone after a crash: what is done already is found done."""
    reply = _scan(segment, total_segments, start, limit)
    items = reply.get("Items", [])
    outdated = {(raw["PK"]["S"], raw["SK"]["S"]) for raw in items if _is_outdated_entry(raw)}
    page = ReindexedPage(next_key=reply.get("LastEvaluatedKey"), scanned=int(reply.get("ScannedCount", 0)),
                         deleted=len(outdated))
    plans = []
    for raw in items:
        try:
            plan = _plan_of(raw)
        except ValueError:  # pydantic's ValidationError among them: left as it is, reported
            page.refused.append(f"{raw['PK']['S']} {raw['SK']['S']}")
            continue
        if plan is not None:
            plans.append(plan)
    entries = _first_entries(plans)
    marked: list[PendingRecord] = []
    for plan in plans:
        try:
            done = _carried_out(plan, entries)
        except ValueError:  # changed meanwhile into what today's rules refuse
            page.refused.append(f"{plan.pk} {plan.sk}")
            continue
        if done is None:
            continue
        keys_moved, mark = done
        if keys_moved or mark:
            page.reindexed += 1
        else:
            page.up_to_date += 1
        if mark:
            marked.append(PendingRecord(plan.pk, plan.sk, None))
    index(marked)
    write_all({}, outdated)
    return page


def _scan(segment: int, total_segments: int, start: dict | None, limit: int) -> dict:
    """One page of a segment of the table: the search rebuild job's only (a background job run from
    the jobs queue, never a request path: routes only start and read rebuilds)."""
    names = {"#t": "type"}
    values = {f":t{i}": {"S": kind} for i, kind in enumerate(_SCANNED_TYPES)}
    request = {"TableName": table_name(), "Segment": segment, "TotalSegments": total_segments, "Limit": limit,
               "ConsistentRead": True, "FilterExpression": f"#t IN ({', '.join(values)})",
               "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
    if start:
        request["ExclusiveStartKey"] = start
    # Background job only (search_reindex, on the jobs queue): no route or request handler reaches it.
    return client("dynamodb").scan(**request)


def _is_outdated_entry(raw: dict) -> bool:
    if raw["type"]["S"] != "search_entry":
        return False
    prefix, _, gram = raw["PK"]["S"].partition("#")
    return f"{prefix}#" in _ENTRY_PREFIXES and is_outdated_gram(gram)


def _plan_of(raw: dict) -> _Plan | None:
    """What the record needs under today's fold; None if the fold changes nothing of it."""
    item = TableItem.from_raw_data(raw)
    pk, sk = raw["PK"]["S"], raw["SK"]["S"]
    if isinstance(item, CustomerItem):
        from chalicelib.store import customers

        keys = _moved_keys(raw, customers._index_attributes(customers._to_domain(item)))
        text, grams = customer_text(item)
        first_entry = (f"SEARCH#{grams[0]}", pk) if grams else None
        changed_text = text != customer_text(item, legacy_fold)[0]
    elif isinstance(item, AddressItem):
        keys = {}
        text, grams = address_text(item)
        first_entry = (f"ADDRSEARCH#{grams[0]}", f"{pk}#{item.id}") if grams else None
        changed_text = text != address_text(item, legacy_fold)[0]
    elif isinstance(item, ProductItem):
        from chalicelib.store import products

        keys = _moved_keys(raw, products._index_attributes(products._to_domain(item)))
        text, first_entry, changed_text = "", None, False
    else:
        return None
    if not keys and not changed_text:
        return None
    return _Plan(pk, sk, _as_read(raw), keys, changed_text, bool(raw.get(PENDING, {}).get("BOOL")), first_entry, text)


def _moved_keys(raw: dict, wanted: dict) -> dict[str, str | None]:
    """The index keys whose value today differs from the stored one (list keys hold folded names)."""
    return {name: value for name, value in wanted.items() if value != raw.get(name, {}).get("S")}


def _first_entries(plans: list[_Plan]) -> dict[tuple[str, str], str]:
    """The text of each plan's first entry under today's fold, where there is one (one BatchGet)."""
    keys = {plan.first_entry for plan in plans if plan.changed_text and plan.first_entry and not plan.pending}
    found = batch_get([{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in keys]) if keys else []
    return {(raw["PK"]["S"], raw["SK"]["S"]): raw.get("text", {}).get("S", "") for raw in found}


def _as_read(raw: dict) -> tuple[str, dict, dict]:
    """A condition that holds while the record is as read: its version, or (addresses have none)
    its existence (the mark alone asks for the record as it is whenever it is indexed)."""
    if "version" in raw:
        return "#ver = :ver", {"#ver": "version"}, {":ver": raw["version"]}
    return "attribute_exists(PK)", {}, {}


def _carried_out(plan: _Plan, entries: dict[tuple[str, str], str]) -> tuple[bool, bool] | None:
    """Carry the plan out: (keys moved, marked), or None once the record needs nothing (or is gone).
    A record changed since it was read is read again and planned anew."""
    for _ in range(_RETRIES):
        mark = plan.mark(entries)
        if not plan.keys and not mark:
            return False, False
        if _applied(plan, mark):
            return bool(plan.keys), mark
        found = batch_get([{"PK": {"S": plan.pk}, "SK": {"S": plan.sk}}])
        again = _plan_of(found[0]) if found else None
        if again is None:
            return None  # deleted meanwhile (its purge deletes its entries), or nothing left to do
        plan, entries = again, _first_entries([again])
    raise RuntimeError("a record kept changing while it was re-indexed; the step is tried again")


def _applied(plan: _Plan, mark: bool) -> bool:
    """Set the moved keys (and the mark) under the record's condition; False if it changed meanwhile.
    The version is not bumped: the record says the same."""
    expression, names, values = plan.condition
    names, values = dict(names), dict(values)
    sets, removes = [], []
    for i, (name, value) in enumerate(sorted(plan.keys.items())):
        names[f"#k{i}"] = name
        if value is None:
            removes.append(f"#k{i}")
        else:
            values[f":k{i}"] = {"S": value}
            sets.append(f"#k{i} = :k{i}")
    if mark:
        names["#pending"], values[":pending"] = PENDING, {"BOOL": True}
        sets.append("#pending = :pending")
    update = " ".join(part for part in ("SET " + ", ".join(sets) if sets else "",
                                        "REMOVE " + ", ".join(removes) if removes else "") if part)
    request = {"TableName": table_name(), "Key": {"PK": {"S": plan.pk}, "SK": {"S": plan.sk}},
               "UpdateExpression": update, "ConditionExpression": expression, "ExpressionAttributeNames": names}
    if values:
        request["ExpressionAttributeValues"] = values
    try:
        client("dynamodb").update_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
