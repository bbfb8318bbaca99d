"""What the local stack keeps or creates for the app, piece by piece (no stack subprocess): dev secrets
from older data folders, indexes added to an older table, the documents bucket."""
import json
import stat

import boto3
import pytest
from moto import mock_aws

from chalicelib.store.table import INDEXES, table_definition
from devstack.aws import ensure_private_bucket, ensure_table
from devstack.config import SECRET_NAMES, Options, app_environment, load_secrets, secrets_file
from tests.support import dynamodb_local


def test_secrets_are_generated_once_and_kept_private(tmp_path):
    first = load_secrets(tmp_path)
    assert set(first) == set(SECRET_NAMES) and len(set(first.values())) == len(SECRET_NAMES)
    assert stat.S_IMODE(secrets_file(tmp_path).stat().st_mode) == 0o600
    assert load_secrets(tmp_path) == first


def test_an_older_secrets_file_gets_the_webhook_key_and_keeps_its_token_keys(tmp_path):
    # Given a secrets.json written before the payment webhook key existed
    older = {"staff_token_secret": "staff-from-before", "customer_token_secret": "customer-from-before"}
    secrets_file(tmp_path).write_text(json.dumps(older))

    # When the stack (or `make token`) loads it
    values = load_secrets(tmp_path)

    # Then the tokens keys are the same (tokens stay valid), and the new key is added and stored
    assert values["staff_token_secret"] == "staff-from-before"
    assert values["customer_token_secret"] == "customer-from-before"
    assert len(values["payment_webhook_secret"]) >= 32
    assert json.loads(secrets_file(tmp_path).read_text()) == values
    assert stat.S_IMODE(secrets_file(tmp_path).stat().st_mode) == 0o600
    # And the app gets it as PAYMENT_WEBHOOK_SECRET
    environment = app_environment(Options(data_dir=tmp_path), values)
    assert environment["PAYMENT_WEBHOOK_SECRET"] == values["payment_webhook_secret"]
    assert environment["DOCUMENTS_BUCKET"] == "shop-dev-documents"


@pytest.fixture(scope="module")
def dynamodb():
    """DynamoDB Local (what the local stack runs), in memory, for this module."""
    with dynamodb_local.running() as url:
        yield boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="local", aws_secret_access_key="local")


def index_names(dynamodb, table: str) -> set[str]:
    return {i["IndexName"] for i in dynamodb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]}


def test_a_table_without_the_newest_index_gets_it_with_the_items_already_there(dynamodb):
    # Given a table made before GSI4 existed (GSI1-3 only), holding an item with GSI4 keys
    older = table_definition("shop-older")
    older["GlobalSecondaryIndexes"] = [i for i in older["GlobalSecondaryIndexes"] if i["IndexName"] != "GSI4"]
    older["AttributeDefinitions"] = [a for a in older["AttributeDefinitions"]
                                     if a["AttributeName"] not in INDEXES["GSI4"]]
    dynamodb.create_table(**older)
    item = {"PK": {"S": "ORDER#1"}, "SK": {"S": "ORDER"}, "GSI4PK": {"S": "G4#a"}, "GSI4SK": {"S": "1"}}
    dynamodb.put_item(TableName="shop-older", Item=item)
    assert index_names(dynamodb, "shop-older") == {"GSI1", "GSI2", "GSI3"}

    # When the local stack starts on it
    stream_arn = ensure_table(dynamodb, "shop-older")

    # Then every index of the definition is there and active, and the new one finds the old item
    table = dynamodb.describe_table(TableName="shop-older")["Table"]
    assert {i["IndexName"]: i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]} == dict.fromkeys(INDEXES, "ACTIVE")
    assert stream_arn == table["LatestStreamArn"]
    found = dynamodb.query(TableName="shop-older", IndexName="GSI4", KeyConditionExpression="GSI4PK = :pk",
                           ExpressionAttributeValues={":pk": {"S": "G4#a"}})["Items"]
    assert found == [item]

    # And the next start changes nothing
    assert ensure_table(dynamodb, "shop-older") == stream_arn
    assert index_names(dynamodb, "shop-older") == set(INDEXES)


def test_a_missing_table_is_created_with_every_index(dynamodb):
    ensure_table(dynamodb, "shop-new")
    assert index_names(dynamodb, "shop-new") == set(INDEXES)


def test_the_documents_bucket_is_private():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        ensure_private_bucket(s3, "shop-dev-documents")
        ensure_private_bucket(s3, "shop-dev-documents")  # again: each start does it

        blocked = s3.get_public_access_block(Bucket="shop-dev-documents")["PublicAccessBlockConfiguration"]
        assert set(blocked.values()) == {True} and len(blocked) == 4
