"""Garbage collection is off during the cold start and back on once the first event is answered."""
import gc

import pytest

from chalicelib import warmup


@pytest.fixture(autouse=True)
def collection_on_after():
    """Each test starts and ends with collection on, as the rest of the suite expects."""
    gc.enable()
    yield
    gc.enable()


def test_start_turns_collection_off_until_the_first_event_is_answered():
    # Given a cold start
    warmup.start()
    # Then collection is off while the first event is handled
    assert not gc.isenabled()
    assert warmup.done_after_first_event("event", lambda e: gc.isenabled()) is False
    # And on once it is answered, for the events after it too
    assert gc.isenabled()
    assert warmup.done_after_first_event("event", lambda e: gc.isenabled()) is True


def test_the_objects_of_the_cold_start_are_frozen_out_of_the_collector():
    # Given objects built during the cold start
    warmup.start()
    built = [[n] for n in range(10)]
    before = gc.get_freeze_count()
    # When the first event is answered
    warmup.done_after_first_event("event", lambda e: None)
    # Then they are no longer the collector's business
    assert gc.get_freeze_count() >= before + len(built)
    gc.unfreeze()


def test_collection_resumes_after_the_first_event_whatever_its_outcome():
    warmup.start()
    assert warmup.done_after_first_event("event", lambda e: f"answered {e}") == "answered event"
    assert gc.isenabled()
    warmup.start()

    def failing(_):
        raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        warmup.done_after_first_event("event", failing)
    assert gc.isenabled()


def test_an_event_handler_turns_collection_back_on(aws):
    # Given a cold start of the stream function, given a change it has nothing to do about
    from chalice.test import Client

    from app import app

    image = {"PK": {"S": "CUST#1"}, "SK": {"S": "NOTE#1"}, "type": {"S": "note"}}
    record = {"eventID": "1", "eventName": "MODIFY", "eventSource": "aws:dynamodb",
              "dynamodb": {"Keys": image, "NewImage": image, "SequenceNumber": "1"}}
    warmup.start()
    with Client(app) as client:
        assert client.lambda_.invoke("table_changed", {"Records": [record]}).payload == {"batchItemFailures": []}
    # Then collection is on again
    assert gc.isenabled()
