"""moto (S3, SQS, SES, EventBridge) on loopback, and the resources that infra/ creates in AWS.

Every call here is idempotent: DynamoDB data outlives a run, and moto starts empty each time."""
import json

from devstack.config import HOST

DEAD_LETTER_SUFFIX = "-dlq"
MAX_RECEIVES = 5  # then the message goes to the dead-letter queue (as infra/: IMPORTS_MAX_RECEIVES)
VISIBILITY_TIMEOUT = 10  # seconds before a failed message is delivered again (short, for local use)


def start_moto(port: int):
    """moto's server in a thread of this process. Its start() would hang on a busy port: check it first."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request (the pump polls all the time)

    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def ensure_table(dynamodb, table_name: str) -> str:
    """Create the table if missing (the one definition, chalicelib.store.table); returns its stream ARN."""
    from chalicelib.store.table import create_table

    if table_name not in dynamodb.list_tables()["TableNames"]:
        create_table(dynamodb, table_name)
    return dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def ensure_queue(sqs, name: str, visibility_timeout: int = VISIBILITY_TIMEOUT) -> str:
    """A queue with its dead-letter queue (redrive after MAX_RECEIVES receives); returns the queue's ARN."""
    dead_letter_url = sqs.create_queue(QueueName=name + DEAD_LETTER_SUFFIX)["QueueUrl"]
    dead_letter_arn = queue_arn(sqs, dead_letter_url)
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(MAX_RECEIVES)}
    url = sqs.create_queue(QueueName=name, Attributes={
        "VisibilityTimeout": str(visibility_timeout), "RedrivePolicy": json.dumps(redrive)})["QueueUrl"]
    return queue_arn(sqs, url)


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def ensure_imports_bucket(s3, bucket: str, target_queue_arn: str) -> None:
    """The bucket where merchants drop CSV files; each new object is announced on the imports queue."""
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": target_queue_arn, "Events": ["s3:ObjectCreated:*"]}]})


def verify_sender(ses, sender: str) -> None:
    """SES (and moto) refuse to send from an address that is not verified."""
    ses.verify_email_identity(EmailAddress=sender)
