"""moto (S3, SQS, SES, EventBridge) on loopback, and the resources that infra/ creates in AWS.

Every call here is idempotent: DynamoDB data outlives a run, and moto starts empty each time."""
import json
import time

from devstack import log
from devstack.config import HOST

DEAD_LETTER_SUFFIX = "-dlq"
MAX_RECEIVES = 5  # then the message goes to the dead-letter queue (as infra/: IMPORTS_MAX_RECEIVES)
VISIBILITY_TIMEOUT = 10  # seconds before a failed message is delivered again (short, for local use)
INDEX_TIMEOUT = 120.0  # seconds for DynamoDB Local to build a new index over the data already there
PRIVATE = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def start_moto(port: int):
    """moto's server in a thread of this process. Its start() would hang on a busy port: check it first."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request (the pump polls all the time)

    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server


def ensure_table(dynamodb, table_name: str) -> str:
    """Create the table if missing (the one definition, chalicelib.store.table), or add the indexes of
    the definition that an older database lacks; returns its stream ARN."""
    from chalicelib.store.table import create_table

    if table_name not in dynamodb.list_tables()["TableNames"]:
        create_table(dynamodb, table_name)
    else:
        ensure_indexes(dynamodb, table_name)
    return dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def ensure_indexes(dynamodb, table_name: str, timeout: float = INDEX_TIMEOUT) -> list[str]:
    """Add each global secondary index of the definition that the table lacks (DynamoDB creates one per
    UpdateTable and fills it from the items already there); waits until each is active. Returns the
    names added. An index that exists with other keys is reported, not changed (`--fresh` rebuilds)."""
    from chalicelib.store.table import table_definition

    definition = table_definition(table_name)
    attributes = {a["AttributeName"]: a for a in definition["AttributeDefinitions"]}
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    existing = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    added = []
    for index in definition["GlobalSecondaryIndexes"]:
        name = index["IndexName"]
        if name in existing:
            if existing[name]["KeySchema"] != index["KeySchema"]:
                log(f"table {table_name}: index {name} has other keys than chalicelib/store/table.py "
                    "(start with --fresh to rebuild the table)")
            continue
        log(f"table {table_name}: adding index {name}")
        dynamodb.update_table(
            TableName=table_name, GlobalSecondaryIndexUpdates=[{"Create": index}],
            AttributeDefinitions=[attributes[key["AttributeName"]] for key in index["KeySchema"]])
        _wait_for_index(dynamodb, table_name, name, timeout)
        added.append(name)
    return added


def _wait_for_index(dynamodb, table_name: str, index_name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        index = next(i for i in table.get("GlobalSecondaryIndexes", []) if i["IndexName"] == index_name)
        if table["TableStatus"] == "ACTIVE" and index["IndexStatus"] == "ACTIVE" and not index.get("Backfilling"):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"index {index_name} of table {table_name} is still {index['IndexStatus']} "
                               f"after {timeout:.0f} s")
        time.sleep(0.2)


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


def ensure_private_bucket(s3, bucket: str) -> None:
    """A private bucket whose objects the app hands out through signed links: the documents (invoice PDFs)
    and the reports (the nightly report files)."""
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PRIVATE)


def verify_sender(ses, sender: str) -> None:
    """SES (and moto) refuse to send from an address that is not verified."""
    ses.verify_email_identity(EmailAddress=sender)
