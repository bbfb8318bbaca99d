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
REPORT_FILES_SCHEDULE = "generate_report_files"
JOBS_QUEUE = "shop-jobs"
JOBS_WATCHDOG_SCHEDULE = "resume_stalled_jobs"


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


def _run_job(record, context) -> None:
    """One message = one job to go on with (services/jobs.py); it stops before the invocation's time
    runs out and hands the job over in a new message."""
    from chalicelib.services import jobs

    body = json.loads(record.body)
    jobs.run(body["job_id"], body.get("token"), lambda: context.get_remaining_time_in_millis() / 1000)


@bp.on_sqs_message(queue=JOBS_QUEUE, batch_size=1)
def run_jobs(event):
    return _process(event, "SQS", lambda record: _run_job(record, event.context))


@bp.schedule(Rate(5, unit=Rate.MINUTES), name=JOBS_WATCHDOG_SCHEDULE)
def resume_stalled_jobs(event):
    """Jobs whose invocation died (their lease ran out) go on from their checkpoint."""
    from chalicelib.services import jobs

    return {"resumed": jobs.resume_stalled_jobs()}


def _index_pending(event) -> int:
    """Imported profiles and addresses get their search entries and tag items, in bulk for the batch."""
    from chalicelib.services import search_index

    return search_index.index_changes([(r["eventName"], r["dynamodb"].get("OldImage"), r["dynamodb"].get("NewImage"))
                                       for r in event.to_dict()["Records"]])


def _table_changed(record) -> None:
    """Queued emails are sent; invoices and the report items follow their orders; a deleted customer's
    orders are anonymised and their remaining personal data purged."""
    from chalicelib.services import table_changes

    images = record.raw_event["dynamodb"]
    table_changes.table_changed(record.raw_event["eventName"], images.get("NewImage"), images.get("OldImage"))


@bp.on_dynamodb_record(stream_arn=get_settings().table_stream_arn, batch_size=50, starting_position="TRIM_HORIZON")
def table_changed(event):
    _index_pending(event)  # idempotent: a failure here has the whole batch delivered again
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


@bp.schedule(Rate(1, unit=Rate.HOURS), name=REPORT_FILES_SCHEDULE)
def generate_report_files(event):
    """Once per store-local day, after its midnight: the day's report files; saved reports due by mail."""
    from chalicelib.services import report_files

    return report_files.generate_report_files()


@bp.schedule(Rate(1, unit=Rate.DAYS), name="renew_subscriptions")
def renew_subscriptions(event):
    """Active subscriptions due by now get their renewal order, once per period."""
    from chalicelib.services import subscriptions

    return {"renewed": subscriptions.renew_due_subscriptions()}
