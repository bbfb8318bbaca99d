"""infra/ synthesizes offline (no AWS account, fake credentials) into a lint-clean template that holds
what the app relies on: the table of chalicelib.store.table, partial batch responses, dead letters,
least privilege, the error envelope for API Gateway's own answers.

Each stage is synthesized once per test session (shared by the xdist workers through a lock)."""
import fcntl
import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
STAGES = ("dev", "prod")
LINT_REGIONS = ["us-east-1", "eu-west-1"]
# cfn-lint rules we ignore, with the reason. Errors and warnings fail the test; informational ones
# (e.g. I1022 "prefer Fn::Sub", for the Fn::Join that CDK writes) are not reported by default.
IGNORED_RULES: dict[str, str] = {}
# The DynamoDB actions the app needs (transactions are authorized per item action), and for the stream.
APP_TABLE_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                     "dynamodb:Query", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                     "dynamodb:DescribeTable"}
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"}


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _synth_env(outdir: Path, stage: str) -> dict:
    """No AWS: fake credentials, a region for `chalice package`, nothing of the app's test settings."""
    import dataclasses

    from chalicelib.settings import Settings

    app_settings = {f.name.upper() for f in dataclasses.fields(Settings)}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_")) and k not in app_settings}
    env.update({
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "CDK_OUTDIR": str(outdir / "cdk.out"),
        "CDK_CONTEXT_JSON": json.dumps({"stage": stage, "mail_sender": f"shop-{stage}@example.com"}),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "18,20",
    })
    return env


def _synthesize(outdir: Path, stage: str) -> str | None:
    """Run infra/app.py as the CDK CLI would; returns an error text, or None."""
    # cwd = outdir: the Chalice construct writes its package to ./chalice.out.
    reply = subprocess.run([sys.executable, str(INFRA / "app.py")], cwd=outdir, env=_synth_env(outdir, stage),
                           capture_output=True, text=True, timeout=600)
    return None if reply.returncode == 0 else f"synth failed:\n{reply.stdout[-3000:]}\n{reply.stderr[-6000:]}"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    """stage -> {"template": dict, "seconds": float}; each stage synthesized once per session."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the same directory for every worker of this session
    results = {}

    def get(stage: str) -> dict:
        if stage not in results:
            outdir = shared / f"infra-synth-{stage}"
            done = outdir / "synth.json"
            # Also serializes synths of other test sessions: Chalice caches its layer in the project.
            with _locked(INFRA / ".synth.lock"):
                if not done.exists():  # a failure is kept too, so that the other tests fail fast
                    outdir.mkdir(parents=True, exist_ok=True)
                    started = time.monotonic()
                    error = _synthesize(outdir, stage)
                    done.write_text(json.dumps({"seconds": round(time.monotonic() - started, 1), "error": error}))
            result = json.loads(done.read_text())
            if result["error"]:
                pytest.fail(result["error"], pytrace=False)
            result["template"] = json.loads((outdir / "cdk.out" / f"{stage}.template.json").read_text())
            results[stage] = result
        return results[stage]

    return get


@pytest.fixture
def dev(synthesized) -> dict:
    return synthesized("dev")["template"]


def resources(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def only(template: dict, kind: str) -> tuple[str, dict]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def functions(template: dict) -> dict:
    return resources(template, "AWS::Serverless::Function")


def events(template: dict, kind: str) -> list[dict]:
    return [e["Properties"] for f in functions(template).values()
            for e in f["Properties"].get("Events", {}).values() if e.get("Type") == kind]


def identity_statements(template: dict) -> list[dict]:
    statements = []
    for r in template["Resources"].values():
        if r["Type"] == "AWS::IAM::Role":
            for policy in r["Properties"].get("Policies", []):
                statements += policy["PolicyDocument"]["Statement"]
        elif r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            statements += r["Properties"]["PolicyDocument"]["Statement"]
    return statements


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def lint(template: dict) -> list:
    from cfnlint.api import ManualArgs, lint as cfn_lint

    matches = cfn_lint(json.dumps(template), config=ManualArgs(regions=LINT_REGIONS,
                                                               ignore_checks=list(IGNORED_RULES)))
    return [f"{m.rule.id} {m.message} ({m.linenumber}:{m.columnnumber})" for m in matches]


@pytest.mark.parametrize("stage", STAGES)
def test_synth_template_passes_cfn_lint(synthesized, stage):
    # Given the app synthesized for the stage (offline)
    result = synthesized(stage)
    print(f"synth {stage}: {result['seconds']} s")

    # When cfn-lint checks it / Then it reports no error and no warning
    assert lint(result["template"]) == []


def test_synth_table_is_the_app_table_definition(dev):
    # Given the app's own table definition
    from chalicelib.store.table import TTL_ATTRIBUTE, table_definition

    expected = table_definition("shop-dev")

    # When we look at the table in the template
    _, table = only(dev, "AWS::DynamoDB::Table")
    props = table["Properties"]

    # Then keys, attributes and indexes are the definition's, with stream, TTL and PITR switched on
    assert props["TableName"] == "shop-dev"
    assert props["KeySchema"] == expected["KeySchema"]
    assert props["AttributeDefinitions"] == expected["AttributeDefinitions"]
    assert props["GlobalSecondaryIndexes"] == expected["GlobalSecondaryIndexes"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("stage, policy", [("dev", "Delete"), ("prod", "Retain")])
def test_synth_stage_names_and_removal_policies(synthesized, stage, policy):
    # Given the stage's template
    template = synthesized(stage)["template"]

    # When we look at what holds data / Then prod keeps it, dev does not
    _, table = only(template, "AWS::DynamoDB::Table")
    _, bucket = only(template, "AWS::S3::Bucket")
    assert table["Properties"]["TableName"] == f"shop-{stage}"
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == (policy, policy)
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == (policy, policy)
    assert table["Properties"]["DeletionProtectionEnabled"] is (stage == "prod")


def test_synth_event_sources_report_batch_item_failures(dev):
    # Given the SQS and stream events of the app's functions
    sqs_events, stream_events = events(dev, "SQS"), events(dev, "DynamoDB")
    queue_name, _ = next((n, q) for n, q in resources(dev, "AWS::SQS::Queue").items()
                         if q["Properties"]["QueueName"] == "shop-imports")

    # Then both exist, read our queue and our table's stream, and report partial batch failures
    assert len(sqs_events) == 1 and len(stream_events) == 1
    assert sqs_events[0]["Queue"] == {"Fn::GetAtt": [queue_name, "Arn"]}
    assert stream_events[0]["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    for event in sqs_events + stream_events:
        assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_synth_stream_mapping_bounds_retries_and_keeps_failures(dev):
    # Given the stream event
    (event,) = events(dev, "DynamoDB")

    # Then its retries are bounded and failed batches go to a queue of the stack
    assert 0 <= event["MaximumRetryAttempts"] <= 10
    destination = event["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"]
    assert dev["Resources"][destination[0]]["Type"] == "AWS::SQS::Queue"


def test_synth_imports_queue_dead_letters_and_accepts_only_the_bucket(dev):
    # Given the imports queue
    name, queue = next((n, q) for n, q in resources(dev, "AWS::SQS::Queue").items()
                       if q["Properties"]["QueueName"] == "shop-imports")

    # Then it has a dead-letter queue with a bounded receive count
    redrive = queue["Properties"]["RedrivePolicy"]
    assert dev["Resources"][redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]]["Type"] == "AWS::SQS::Queue"
    assert 1 <= redrive["maxReceiveCount"] <= 10

    # And only S3, for the imports bucket of this account, may send to it
    (policy,) = [p for p in resources(dev, "AWS::SQS::QueuePolicy").values()
                 if p["Properties"]["Queues"] == [{"Ref": name}]]
    allows = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert allows[0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allows[0]["Action"] == "sqs:SendMessage"
    assert "shop-dev-imports-" in json.dumps(allows[0]["Condition"]["ArnEquals"]["aws:SourceArn"])

    # And the bucket notifies it of new objects
    _, bucket = only(dev, "AWS::S3::Bucket")
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": [name, "Arn"]}


def test_synth_bucket_is_private_encrypted_and_ssl_only(dev):
    # Given the imports bucket and its policy
    _, bucket = only(dev, "AWS::S3::Bucket")
    _, policy = only(dev, "AWS::S3::BucketPolicy")

    # Then public access is blocked, objects are encrypted, and plain HTTP is denied
    assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in policy["Properties"]["PolicyDocument"]["Statement"])


def test_synth_roles_have_no_wildcards(dev):
    # Given every statement of every identity policy
    statements = identity_statements(dev)
    assert statements

    # Then no action or service is wildcarded, and nothing is granted on every resource
    for statement in statements:
        actions = as_list(statement["Action"])
        assert "*" not in actions and not any(a.endswith(":*") for a in actions), statement
        assert "*" not in as_list(statement["Resource"]), statement


def test_synth_roles_grant_only_the_dynamodb_actions_the_app_needs(dev):
    # Given the DynamoDB actions granted by the roles
    granted = {a for s in identity_statements(dev) for a in as_list(s["Action"]) if a.startswith("dynamodb:")}

    # Then they are the app's item and query actions, plus the stream reads
    assert granted == APP_TABLE_ACTIONS | STREAM_ACTIONS
    # And the stream reads belong to the stream consumer's role only
    stream_roles = {name for name, r in resources(dev, "AWS::IAM::Role").items()
                    for p in r["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]
                    if STREAM_ACTIONS & set(as_list(s["Action"]))}
    (function,) = [f for f in functions(dev).values() if "DynamoDB" in json.dumps(f["Properties"].get("Events", {}))]
    assert stream_roles == {function["Properties"]["Role"]["Fn::GetAtt"][0]}


def test_synth_functions_use_our_roles_not_chalices(dev):
    # Given the functions / Then each runs with a role of ours, and Chalice made none
    ours = set(resources(dev, "AWS::IAM::Role"))
    assert not any("DefaultRole" in name for name in ours)
    for function in functions(dev).values():
        assert function["Properties"]["Role"]["Fn::GetAtt"][0] in ours


def test_synth_api_gets_cognito_and_the_secret_by_reference(dev):
    # Given the API function's environment
    variables = functions(dev)["APIHandler"]["Properties"]["Environment"]["Variables"]
    pool, _ = only(dev, "AWS::Cognito::UserPool")
    client, _ = only(dev, "AWS::Cognito::UserPoolClient")
    secret, _ = only(dev, "AWS::SecretsManager::Secret")

    # Then staff tokens are checked against the pool, and the customer-token key is a dynamic reference
    assert variables["COGNITO_AUDIENCE"] == {"Ref": client}
    assert {"Ref": pool} in variables["COGNITO_ISSUER"]["Fn::Join"][1]
    assert variables["COGNITO_JWKS_URL"]["Fn::Join"][1][-1] == "/.well-known/jwks.json"
    secret_parts = variables["CUSTOMER_TOKEN_SECRET"]["Fn::Join"][1]
    assert secret_parts[0] == "{{resolve:secretsmanager:" and {"Ref": secret} in secret_parts
    assert {g["Properties"]["GroupName"] for g in resources(dev, "AWS::Cognito::UserPoolGroup").values()} \
        == {"admin", "agent", "support"}
    # And every function knows the real table, stream and bucket
    for function in functions(dev).values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["TABLE_NAME"] == {"Ref": "Table"}
        assert env["TABLE_STREAM_ARN"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
        assert "IMPORTS_BUCKET" in env and env["MAIL_SENDER"] == "shop-dev@example.com"


def test_synth_gateway_responses_use_the_error_envelope(dev):
    # Given the gateway responses in the REST API's body
    _, api = only(dev, "AWS::Serverless::Api")
    responses = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]

    def body(kind: str) -> dict:
        template = responses[kind]["responseTemplates"]["application/json"]
        return json.loads(template.replace("$context.error.messageString", '"API Gateway says"'))

    # Then an unknown route is our 404 not_found, and the other defaults keep the envelope
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert body("MISSING_AUTHENTICATION_TOKEN")["error"]["code"] == "not_found"
    for kind in responses:
        assert set(body(kind)["error"]) == {"code", "message", "details"}
        assert body(kind)["error"]["details"] == []
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)


def test_synth_every_schedule_becomes_an_eventbridge_rule(dev):
    # Given the app's schedules (none yet, maybe some later)
    from chalice.app import ScheduledEventConfig

    from app import app

    schedules = [s for s in app.event_sources if isinstance(s, ScheduledEventConfig)]

    # Then the template has one Schedule event (an EventBridge rule once deployed) for each
    assert len(events(dev, "Schedule")) == len(schedules)


def test_synth_every_function_has_a_log_group_with_retention(dev):
    # Given the functions / Then each has its log group, kept for a bounded time
    groups = resources(dev, "AWS::Logs::LogGroup").values()
    named = {g["Properties"]["LogGroupName"]["Fn::Join"][1][1]["Ref"] for g in groups}
    assert named == set(functions(dev))
    assert all(g["Properties"]["RetentionInDays"] > 0 for g in groups)


def test_synth_ses_identity_is_the_mail_sender(dev):
    # Given the SES identity / Then it is the configured sender, the one the stream role may send as
    name, identity = only(dev, "AWS::SES::EmailIdentity")
    assert identity["Properties"]["EmailIdentity"] == "shop-dev@example.com"
    (statement,) = [s for s in identity_statements(dev) if "ses:SendRawEmail" in as_list(s["Action"])]
    assert statement["Resource"]["Fn::Join"][1][-2:] == [":identity/", {"Ref": name}]


def test_synth_sam_transform_gives_lint_clean_mappings(dev):
    """cfn-lint 1.x validates SAM resources against schemas only; the SAM translator shows what
    CloudFormation will really create (aws-sam-translator is pinned in requirements-dev.txt)."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    # Given the template as CloudFormation expands it
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    expanded = transform(json.loads(json.dumps(dev)), {}, NoManagedPolicies())

    # Then it lints clean, and both event source mappings report partial batch failures
    assert lint(expanded) == []
    mappings = resources(expanded, "AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 2
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
