"""Event handlers: unwrap the event, call one service, report failures per record.

Both use powertools' BatchProcessor: a failed record is reported (ReportBatchItemFailures, set in
infra/) and retried, then dead-lettered; the others are not redone."""
import json
from urllib.parse import unquote_plus

from chalice import Blueprint, Rate

from chalicelib.settings import get_settings

# Each Lambda function imports the whole app: the HTTP one must not pay for the services of events at
# its cold start, so each handler imports its service when it runs.
bp = Blueprint(__name__)
IMPORTS_QUEUE = "shop-imports"


def _process(event, event_type: str, record_handler):
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=getattr(EventType, event_type))
    return process_partial_response(event=event.to_dict(), record_handler=record_handler,
                                    processor=processor, context=event.context)


def _import_file_arrived(record) -> None:
    """One SQS message = one S3 notification (the first one of a bucket is an s3:TestEvent)."""
    from chalicelib.services import imports

    body = json.loads(record.body)
    for s3_record in body.get("Records", []):
        s3 = s3_record["s3"]
        imports.register_upload(s3["bucket"]["name"], unquote_plus(s3["object"]["key"]), s3["object"].get("eTag", ""))


@bp.on_sqs_message(queue=IMPORTS_QUEUE, batch_size=10)
def import_files_arrived(event):
    return _process(event, "SQS", _import_file_arrived)


def _table_changed(record) -> None:
    """Queued emails are sent; invoices follow their orders; a deleted customer's orders are
    anonymised and their remaining personal data purged."""
    from chalicelib.services import table_changes

    images = record.raw_event["dynamodb"]
    table_changes.table_changed(record.raw_event["eventName"], images.get("NewImage"), images.get("OldImage"))


@bp.on_dynamodb_record(stream_arn=get_settings().table_stream_arn, batch_size=50, starting_position="TRIM_HORIZON")
def table_changed(event):
    return _process(event, "DynamoDBStreams", _table_changed)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="send_cart_reminders")
def send_cart_reminders(event):
    """Carts idle longer than the store's delay get one reminder per idle period."""
    from chalicelib.services import cart_reminders

    return {"queued": cart_reminders.send_cart_reminders()}


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="cancel_unpaid_orders")
def cancel_unpaid_orders(event):
    """Online orders left unpaid longer than the store's setting are cancelled."""
    from chalicelib.services import orders

    return {"cancelled": orders.cancel_unpaid_orders()}


@bp.schedule(Rate(1, unit=Rate.DAYS), name="renew_subscriptions")
def renew_subscriptions(event):
    """Active subscriptions due by now get their renewal order, once per period."""
    from chalicelib.services import subscriptions

    return {"renewed": subscriptions.renew_due_subscriptions()}
