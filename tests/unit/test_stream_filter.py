"""The stream's event-source filter (infra) and the local stack's reading of it (`watched`) agree: a
derived item's record (search entries, tags, report items) never reaches `table_changed`; every other
item's does, written, changed or removed."""
import json

import pytest

from chalicelib.store.changes import UNWATCHED, stream_filters, watched
from chalicelib.store.models import TableItem


def _matches(pattern, value) -> bool:
    """Lambda's filter rules for what these patterns use: a list of allowed values or of
    `{"anything-but": [...]}` (the field must be there), and nested objects."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(k in value and _matches(p, value[k]) for k, p in pattern.items())
    return any(value not in rule["anything-but"] if isinstance(rule, dict) else value == rule for rule in pattern)


def _passes(record: dict) -> bool:
    return any(_matches(json.loads(f["Pattern"]), record) for f in stream_filters())


def _record(event_name: str, item_type: str) -> dict:
    image = {"PK": {"S": "X#1"}, "SK": {"S": "Y"}, "type": {"S": item_type}}
    images = {"OldImage": image} if event_name == "REMOVE" else {"NewImage": image} | (
        {"OldImage": image} if event_name == "MODIFY" else {})
    return {"eventName": event_name, "dynamodb": {"Keys": {"PK": image["PK"], "SK": image["SK"]}, **images}}


ALL_TYPES = sorted({model.item_type.get_discriminator(model) for model in TableItem.__subclasses__()})
DERIVED = {model.item_type.get_discriminator(model) for model in UNWATCHED}


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY", "REMOVE"])
@pytest.mark.parametrize("item_type", ALL_TYPES)
def test_a_record_reaches_the_handler_unless_its_item_is_derived(event_name, item_type):
    record = _record(event_name, item_type)
    assert _passes(record) == watched(record) == (item_type not in DERIVED)


def test_the_items_the_handler_acts_on_are_never_filtered_out():
    # orders (invoices, report items), queued emails, staff mail, customers (purge, search index), addresses
    assert {"order", "mail_log", "staff_mail", "customer", "address"} <= set(ALL_TYPES) - DERIVED
    assert {"search_entry", "tag", "report_sales", "aggregate_done"} <= DERIVED
