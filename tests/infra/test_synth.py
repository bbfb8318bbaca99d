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

from chalicelib.api.routing import UNKNOWN_ROUTE

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
STAGES = ("dev", "prod")
LINT_REGIONS = ["us-east-1", "eu-west-1"]
# cfn-lint rules we ignore, with the reason. Errors and warnings fail the test; informational ones
# (e.g. I1022 "prefer Fn::Sub", for the Fn::Join that CDK writes) are not reported by default.
IGNORED_RULES: dict[str, str] = {}
# The DynamoDB actions the app needs (transactions are authorized per item action), and for the stream.
APP_TABLE_ACTIONS = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                     "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchWriteItem",
                     "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}
# What chalicelib's code calls (PynamoDB / boto3 spelling) -> the action a role needs for it.
CALLS_TO_ACTIONS = {".batch_get(": "dynamodb:BatchGetItem", ".batch_write(": "dynamodb:BatchWriteItem",
                    ".scan(": "dynamodb:Scan", "TransactGet": "dynamodb:GetItem", ".query(": "dynamodb:Query",
                    "put_object(": "s3:PutObject", '"get_object"': "s3:GetObject", "get_object(": "s3:GetObject",
                    "head_object(": "s3:GetObject",
                    "send_raw_email(": "ses:SendRawEmail"}
# A pinned webhook-key version, given to the prod synth (dev synthesizes without it).
WEBHOOK_SECRET_VERSION = "a1b2c3d4-0000-4000-8000-000000000001"
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
        "CDK_CONTEXT_JSON": json.dumps({"stage": stage, "mail_sender": f"shop-{stage}@example.com",
                                        **({"payment_webhook_secret_version": WEBHOOK_SECRET_VERSION}
                                           if stage == "prod" else {})}),
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


@pytest.fixture(scope="session")
def expanded(synthesized) -> dict:
    """The dev template as CloudFormation expands it (the SAM transform; aws-sam-translator is pinned
    in requirements-dev.txt): the EventBridge rules and event source mappings that SAM will create."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return transform(json.loads(json.dumps(synthesized("dev")["template"])), {}, NoManagedPolicies())


def resources(template: dict, kind: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def only(template: dict, kind: str) -> tuple[str, dict]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def bucket(template: dict, purpose: str) -> tuple[str, dict]:
    """The bucket whose name is shop-<stage>-<purpose>-<account>-<region>."""
    (found,) = [(n, b) for n, b in resources(template, "AWS::S3::Bucket").items()
                if f"-{purpose}-" in json.dumps(b["Properties"]["BucketName"])]
    return found


def secret(template: dict, construct_id: str) -> str:
    (found,) = [n for n in resources(template, "AWS::SecretsManager::Secret") if n.startswith(construct_id)]
    return found


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


def role_of(template: dict, function: str) -> str:
    return functions(template)[function]["Properties"]["Role"]["Fn::GetAtt"][0]


def grants(template: dict, role: str) -> list[tuple[str, str]]:
    """(action, resource as JSON) pairs that the role's inline policies allow."""
    return [(action, json.dumps(resource, sort_keys=True))
            for policy in template["Resources"][role]["Properties"].get("Policies", [])
            for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
            for action in as_list(s["Action"]) for resource in as_list(s["Resource"])]


def app_schedules() -> list:
    from chalice.app import ScheduledEventConfig

    from app import app

    return [s for s in app.event_sources if isinstance(s, ScheduledEventConfig)]


def lint(template: dict) -> list:
    from cfnlint.api import ManualArgs
    from cfnlint.api import lint as cfn_lint

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
    assert table["Properties"]["TableName"] == f"shop-{stage}"
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == (policy, policy)
    for purpose in ("imports", "documents", "reports"):
        _, found = bucket(template, purpose)
        assert found["Properties"]["BucketName"]["Fn::Join"][1][0] == f"shop-{stage}-{purpose}-"
        assert (found["DeletionPolicy"], found["UpdateReplacePolicy"]) == (policy, policy)
    assert table["Properties"]["DeletionProtectionEnabled"] is (stage == "prod")


def test_synth_event_sources_report_batch_item_failures(dev):
    # Given the SQS and stream events of the app's functions
    sqs_events, stream_events = events(dev, "SQS"), events(dev, "DynamoDB")
    queues = {q["Properties"]["QueueName"]: n for n, q in resources(dev, "AWS::SQS::Queue").items()}

    # Then they exist, read our queues (S3 notifications, job steps) and our table's stream, and
    # report partial batch failures
    assert len(stream_events) == 1
    assert sorted(e["Queue"]["Fn::GetAtt"][0] for e in sqs_events) == sorted([queues["shop-imports"], queues["shop-jobs"]])
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
    # And the derived items' records are filtered out before the function (tests/unit/test_stream_filter.py)
    from chalicelib.store.changes import stream_filters

    assert event["FilterCriteria"] == {"Filters": stream_filters()}


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
    _, imports = bucket(dev, "imports")
    (notification,) = imports["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": [name, "Arn"]}


def test_synth_jobs_queue_outlives_a_step_and_dead_letters(dev):
    # Given the jobs queue and the function that runs job steps
    (queue,) = [q for q in resources(dev, "AWS::SQS::Queue").values() if q["Properties"]["QueueName"] == "shop-jobs"]
    (function,) = [f for name, f in resources(dev, "AWS::Serverless::Function").items() if name == "RunJobs"]

    # Then a message stays invisible longer than a step's invocation may run, and goes to a
    # dead-letter queue after a bounded number of receives
    assert queue["Properties"]["VisibilityTimeout"] > function["Properties"]["Timeout"] >= 300
    assert 1 <= queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] <= 10


@pytest.mark.parametrize("purpose", ["imports", "documents", "reports"])
def test_synth_bucket_is_private_encrypted_and_ssl_only(dev, purpose):
    # Given the bucket and its policy
    name, found = bucket(dev, purpose)
    (policy,) = [p for p in resources(dev, "AWS::S3::BucketPolicy").values()
                 if p["Properties"]["Bucket"] == {"Ref": name}]

    # Then public access is blocked, objects are encrypted, and plain HTTP is denied
    assert found["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert found["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert "WebsiteConfiguration" not in found["Properties"]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)
    # And the bucket policy allows nothing (access comes from our roles only)
    assert all(s["Effect"] == "Deny" for s in statements)


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

    # Then they are the app's item and query actions, the stream reads, and Scan for the background
    # jobs' function alone (no request path scans)
    assert granted == APP_TABLE_ACTIONS | STREAM_ACTIONS | {"dynamodb:Scan"}
    scanners = {f for f in functions(dev) if any(a == "dynamodb:Scan" for a, _ in grants(dev, role_of(dev, f)))}
    assert scanners == {"RunJobs", "ImportFilesArrived"}  # they share a role; only run_jobs' jobs scan
    # And the stream reads belong to the stream consumer's role only
    stream_roles = {name for name, r in resources(dev, "AWS::IAM::Role").items()
                    for p in r["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]
                    if STREAM_ACTIONS & set(as_list(s["Action"]))}
    (function,) = [f for f in functions(dev).values() if "DynamoDB" in json.dumps(f["Properties"].get("Events", {}))]
    assert stream_roles == {function["Properties"]["Role"]["Fn::GetAtt"][0]}


def test_synth_roles_cover_what_the_app_code_calls(dev):
    """A coarse guard: an SDK call that appears in chalicelib/ needs its action in some role."""
    # Given the calls in the app's code
    source = "\n".join(p.read_text() for p in (ROOT / "chalicelib").rglob("*.py"))
    needed = {action for call, action in CALLS_TO_ACTIONS.items() if call in source}
    assert "dynamodb:BatchGetItem" in needed  # the guard sees the calls at all

    # Then every role together grants them
    granted = {a for s in identity_statements(dev) for a in as_list(s["Action"])}
    assert needed <= granted, needed - granted


def test_synth_schedule_functions_can_use_the_table_and_its_indexes(dev):
    # Given the function of each of the app's schedules (cancel_unpaid_orders among them)
    from chalice.utils import to_cfn_resource_name

    names = [to_cfn_resource_name(s.name) for s in app_schedules()]
    assert "CancelUnpaidOrders" in names

    table = json.dumps({"Fn::GetAtt": ["Table", "Arn"]}, sort_keys=True)
    indexes = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/*"]]}, sort_keys=True)
    for name in names:
        # When we look at the role Chalice's function runs with (ours, not the API's default)
        role = role_of(dev, name)
        assert role != role_of(dev, "APIHandler")
        granted = grants(dev, role)

        # Then it may read, write and transact on the table, and query its indexes (GSI3 for this one)
        for action in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem", "Query"):
            assert (f"dynamodb:{action}", table) in granted, action
        assert ("dynamodb:Query", indexes) in granted
        # And nothing beyond the table and its logs (the report files job: and the reports bucket)
        beyond = {"GenerateReportFiles": {"s3"}, "ResumeStalledJobs": {"sqs"}}.get(name, set())
        assert {a.split(":")[0] for a, _ in granted} == {"dynamodb", "logs"} | beyond


def test_synth_documents_bucket_is_written_by_the_stream_and_read_by_the_api(dev):
    # Given the documents bucket, and the S3 grants on it of each function's role
    name, _ = bucket(dev, "documents")
    invoices = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [name, "Arn"]}, "/invoices/*"]]}, sort_keys=True)
    on_documents = {function: {g for g in grants(dev, role_of(dev, function)) if name in g[1]}
                    for function in functions(dev)}

    # Then the stream handler puts invoice PDFs, the import functions put the files of rejected rows,
    # the API reads both (presigned links), and nobody else
    error_files = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [name, "Arn"]}, "/imports/*"]]}, sort_keys=True)
    assert on_documents.pop("TableChanged") == {("s3:PutObject", invoices)}
    assert on_documents.pop("RunJobs") == on_documents.pop("ImportFilesArrived") == {("s3:PutObject", error_files)}
    assert on_documents.pop("APIHandler") == {("s3:GetObject", invoices), ("s3:GetObject", error_files)}
    assert all(not found for found in on_documents.values()), on_documents
    # And every function knows the bucket
    for function in functions(dev).values():
        assert function["Properties"]["Environment"]["Variables"]["DOCUMENTS_BUCKET"] == {"Ref": name}


def test_synth_reports_bucket_is_written_by_the_report_job_and_read_by_the_api(dev):
    # Given the reports bucket, and the S3 grants on it of each function's role
    name, _ = bucket(dev, "reports")
    files = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [name, "Arn"]}, "/*"]]}, sort_keys=True)
    on_reports = {function: {g for g in grants(dev, role_of(dev, function)) if name in g[1]}
                  for function in functions(dev)}

    # Then the report job writes the files, the API signs 5-minute links, nobody else
    assert on_reports.pop("GenerateReportFiles") == {("s3:PutObject", files), ("s3:GetObject", files)}
    # And the report job's emails link to the API (which signs them when opened), at its address
    report_job = functions(dev)["GenerateReportFiles"]["Properties"]["Environment"]["Variables"]
    assert report_job["API_URL"] == {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"}
    assert on_reports.pop("APIHandler") == {("s3:GetObject", files)}
    assert all(not found for found in on_reports.values()), on_reports
    # And every function knows the bucket
    for function in functions(dev).values():
        assert function["Properties"]["Environment"]["Variables"]["REPORTS_BUCKET"] == {"Ref": name}


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
    token_secret, webhook_secret = secret(dev, "CustomerTokenSecret"), secret(dev, "PaymentWebhookSecret")

    # Then staff tokens are checked against the pool, and the customer-token key is a dynamic reference
    assert variables["COGNITO_AUDIENCE"] == {"Ref": client}
    assert {"Ref": pool} in variables["COGNITO_ISSUER"]["Fn::Join"][1]
    assert variables["COGNITO_JWKS_URL"]["Fn::Join"][1][-1] == "/.well-known/jwks.json"
    # (resolved by CloudFormation at deploy time: the template holds no secret), and so is the webhook key
    assert variables["CUSTOMER_TOKEN_SECRET"]["Fn::Join"][1] == [
        "{{resolve:secretsmanager:", {"Ref": token_secret}, ":SecretString:::}}"]
    assert variables["PAYMENT_WEBHOOK_SECRET"]["Fn::Join"][1] == [
        "{{resolve:secretsmanager:", {"Ref": webhook_secret}, ":SecretString:::}}"]
    assert dev["Outputs"]["PaymentWebhookSecretArn"]["Value"] == {"Ref": webhook_secret}
    assert {g["Properties"]["GroupName"] for g in resources(dev, "AWS::Cognito::UserPoolGroup").values()} \
        == {"admin", "agent", "support"}
    # And every function knows the real table, stream and bucket
    for name, function in functions(dev).items():
        env = function["Properties"]["Environment"]["Variables"]
        # (the keys are the API's only)
        assert name == "APIHandler" or not {"CUSTOMER_TOKEN_SECRET", "PAYMENT_WEBHOOK_SECRET"} & set(env)
        assert env["TABLE_NAME"] == {"Ref": "Table"}
        assert env["TABLE_STREAM_ARN"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
        assert "IMPORTS_BUCKET" in env and env["MAIL_SENDER"] == "shop-dev@example.com"


def test_synth_webhook_key_version_can_be_pinned(synthesized):
    # Given prod synthesized with -c payment_webhook_secret_version=<id> (see _synth_env)
    prod = synthesized("prod")["template"]
    variables = functions(prod)["APIHandler"]["Properties"]["Environment"]["Variables"]

    # Then the reference names that version: a new one changes the template, so the function is updated
    assert variables["PAYMENT_WEBHOOK_SECRET"]["Fn::Join"][1] == [
        "{{resolve:secretsmanager:", {"Ref": secret(prod, "PaymentWebhookSecret")},
        f":SecretString:::{WEBHOOK_SECRET_VERSION}}}}}"]
    assert variables["CUSTOMER_TOKEN_SECRET"]["Fn::Join"][1][-1] == ":SecretString:::}}"


def test_synth_gateway_responses_use_the_error_envelope(dev):
    # Given the gateway responses in the REST API's body
    _, api = only(dev, "AWS::Serverless::Api")
    responses = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]

    def body(kind: str) -> dict:
        template = responses[kind]["responseTemplates"]["application/json"]
        return json.loads(template.replace("$context.error.messageString", '"API Gateway says"'))

    # Then an unknown route is our 404 not_found (the local stack's answer too), and the other defaults keep the envelope
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert body("MISSING_AUTHENTICATION_TOKEN")["error"] == {"code": "not_found", "message": UNKNOWN_ROUTE[2], "details": []}
    for kind in responses:
        assert set(body(kind)["error"]) == {"code", "message", "details"}
        assert body(kind)["error"]["details"] == []
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    # And no answer quotes the request: API Gateway's own message for an unknown path repeats the
    # Authorization header (a bearer token) it was sent
    for kind, response in responses.items():
        template = response["responseTemplates"]["application/json"]
        assert "$" not in template and "#" not in template, kind
        assert "responseParameters" not in response, kind


def test_synth_every_schedule_becomes_an_eventbridge_rule(dev, expanded):
    # Given the app's schedules, as expressions
    from chalice.utils import to_cfn_resource_name

    schedules = {to_cfn_resource_name(s.name): s.schedule_expression for s in app_schedules()}
    expected = {name: e if isinstance(e, str) else e.to_string() for name, e in schedules.items()}
    assert expected["CancelUnpaidOrders"] == "rate(15 minutes)"

    # Then each function has one Schedule event with its expression
    found = {name: [e["Properties"]["Schedule"] for e in f["Properties"].get("Events", {}).values()
                    if e["Type"] == "Schedule"] for name, f in functions(dev).items()}
    assert {name: s for name, s in found.items() if s} == {name: [e] for name, e in expected.items()}

    # And CloudFormation gets one enabled EventBridge rule per schedule, invoking that function (and
    # allowed to: the function's resource policy)
    rules = resources(expanded, "AWS::Events::Rule").values()
    targets = {json.dumps(t["Arn"]): r["Properties"]["ScheduleExpression"]
               for r in rules for t in r["Properties"]["Targets"]}
    assert targets == {json.dumps({"Fn::GetAtt": [name, "Arn"]}): e for name, e in expected.items()}
    assert all(r["Properties"].get("State", "ENABLED") == "ENABLED" for r in rules)
    permitted = {json.dumps(p["Properties"]["FunctionName"])
                 for p in resources(expanded, "AWS::Lambda::Permission").values()
                 if p["Properties"]["Principal"] == "events.amazonaws.com"}
    assert permitted == {json.dumps({"Ref": name}) for name in expected}


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


def test_synth_sam_transform_gives_lint_clean_mappings(expanded):
    """cfn-lint 1.x validates SAM resources against schemas only; the SAM translator shows what
    CloudFormation will really create."""
    # Given the template as CloudFormation expands it
    # Then it lints clean, and both event source mappings report partial batch failures
    assert lint(expanded) == []
    mappings = resources(expanded, "AWS::Lambda::EventSourceMapping").values()
    assert len(mappings) == 3  # the S3 notifications, the job steps, the table's stream
    assert all(m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
