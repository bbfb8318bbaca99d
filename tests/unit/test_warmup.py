"""Garbage collection is off during the cold start and back on once the first event is answered."""
import gc

import pytest

from chalicelib import warmup


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
