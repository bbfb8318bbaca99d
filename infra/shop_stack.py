"""The shop in one CloudFormation stack: the table, the imports bucket and queue, the documents bucket,
the mail identity, the staff user pool, the customer-token and payment-webhook secrets, and the Chalice
app (API, SQS consumer, stream consumer, schedules) wired to them with one least-privilege role per kind
of function.

Whatever the app also knows (table definition, TTL attribute, queue name, staff roles, handlers) is
imported from the project, never copied.
"""
import importlib
import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, CfnOutput, CfnResource, Duration, Fn, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig
from chalice.cdk import Chalice
from chalice.cli.factory import CLIFactory
from chalice.constants import DEFAULT_LAMBDA_TIMEOUT
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from chalicelib.api.routing import UNKNOWN_ROUTE
from chalicelib.domain.invoices import document_key
from chalicelib.domain.tokens import STAFF_ROLES
from chalicelib.events.handlers import IMPORTS_QUEUE, JOBS_QUEUE, JOBS_WATCHDOG_SCHEDULE, REPORT_FILES_SCHEDULE
from chalicelib.store.changes import stream_filters
from chalicelib.store.table import TTL_ATTRIBUTE, table_definition


@dataclass(frozen=True)
class StageConfig:
    name: str
    removal_policy: RemovalPolicy  # of what holds data: table, bucket, user pool, secret, logs
    log_retention_days: int
    mail_sender: str | None  # default of `-c mail_sender=...`; None: that context value is required


STAGES = {
    "dev": StageConfig("dev", RemovalPolicy.DESTROY, 14, "shop-dev@example.com"),
    "prod": StageConfig("prod", RemovalPolicy.RETAIN, 90, None),
}

IMPORTS_MAX_RECEIVES = 5  # deliveries of an import message before it goes to the imports dead-letter queue
STREAM_MAX_RETRIES = 5  # retries of a failing stream batch before its position goes to the on-failure queue
INVOICES_PREFIX = posixpath.dirname(document_key(1)) + "/"  # where the stream handler puts invoice PDFs
IMPORT_ERRORS_PREFIX = "imports/"  # the rejected rows of imports (services/import_results.py)
# `-c payment_webhook_secret_version=<VersionId>`: pin the webhook key's version (see infra/README.md, Secrets).
WEBHOOK_SECRET_VERSION_CONTEXT = "payment_webhook_secret_version"
# `-c staff_email_domains=shop.example`: scheduled reports are mailed to addresses there only (STAFF_EMAIL_DOMAINS).
STAFF_EMAIL_DOMAINS_CONTEXT = "staff_email_domains"

# How API Gateway answers by itself (no such route, throttling, its own errors), in our error envelope.
# type -> (status to force, or None to keep API Gateway's; code; message). Messages are fixed texts, never
# API Gateway's own ($context.error.messageString): for a request with an Authorization header to a path
# no route has, that quotes the whole header back ("... Authorization=Bearer eyJ...").
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": (str(UNKNOWN_ROUTE[0]), UNKNOWN_ROUTE[1], UNKNOWN_ROUTE[2]),
    "THROTTLED": (None, "rate_limited", "Too many requests: try again in a moment."),
    "QUOTA_EXCEEDED": (None, "rate_limited", "Too many requests: try again in a moment."),
    "REQUEST_TOO_LARGE": (None, "payload_too_large", "The request is too large."),
    "UNSUPPORTED_MEDIA_TYPE": (None, "unsupported_media_type", "The request's content type is not supported."),
    "DEFAULT_4XX": (None, "bad_request", "The request was refused."),
    "DEFAULT_5XX": (None, "internal_error", "Something went wrong on our side."),
}

_TRANSLATED_TABLE_KEYS = {"TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                          "StreamSpecification"}


def table_props(definition: dict) -> dict:
    """CfnTable keyword arguments from chalicelib's CreateTable arguments (CloudFormation uses the same
    names). Fails on a key it does not translate, so the deployed table cannot drift from the app's."""
    unknown = set(definition) - _TRANSLATED_TABLE_KEYS
    if unknown:
        raise ValueError(f"infra/ does not translate these table_definition() keys yet: {sorted(unknown)}")
    stream = definition.get("StreamSpecification") or {}
    if not stream.get("StreamEnabled"):
        raise ValueError("the stream handler needs the table's stream (StreamSpecification.StreamEnabled)")

    def keys(schema: list[dict]) -> list:
        return [dynamodb.CfnTable.KeySchemaProperty(attribute_name=k["AttributeName"], key_type=k["KeyType"])
                for k in schema]

    return {
        "table_name": definition["TableName"],
        "billing_mode": definition["BillingMode"],
        "attribute_definitions": [
            dynamodb.CfnTable.AttributeDefinitionProperty(attribute_name=a["AttributeName"],
                                                          attribute_type=a["AttributeType"])
            for a in definition["AttributeDefinitions"]],
        "key_schema": keys(definition["KeySchema"]),
        "global_secondary_indexes": [
            dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                index_name=index["IndexName"], key_schema=keys(index["KeySchema"]),
                projection=dynamodb.CfnTable.ProjectionProperty(
                    projection_type=index["Projection"]["ProjectionType"],
                    non_key_attributes=index["Projection"].get("NonKeyAttributes")))
            for index in definition.get("GlobalSecondaryIndexes", [])],
        "stream_specification": dynamodb.CfnTable.StreamSpecificationProperty(
            stream_view_type=stream["StreamViewType"]),
    }


def gateway_responses() -> dict:
    """`x-amazon-apigateway-gateway-responses` for the REST API's OpenAPI body."""
    responses = {}
    for kind, (status, code, message) in GATEWAY_RESPONSES.items():
        body = {"error": {"code": code, "message": message, "details": []}}
        response = {"responseTemplates": {"application/json": json.dumps(body, separators=(",", ":"))}}
        if status:
            response["statusCode"] = status
        responses[kind] = response
    return responses


class ShopStack(Stack):
    def __init__(self, scope: Construct, stage: StageConfig, *, source_dir: Path, mail_sender: str, **kwargs) -> None:
        # The construct id is the Chalice stage: the Chalice construct packages the stage named after its scope.
        super().__init__(scope, stage.name, stack_name=f"shop-{stage.name}", **kwargs)
        self.stage = stage
        app = _chalice_app(source_dir)

        self.table = dynamodb.CfnTable(
            self, "Table", **table_props(table_definition(f"shop-{stage.name}")),
            time_to_live_specification=dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=True),
            deletion_protection_enabled=stage.removal_policy == RemovalPolicy.RETAIN)
        self.table.apply_removal_policy(stage.removal_policy)
        self.stream_dlq = self._queue("TableChangesDeadLetterQueue", f"shop-{stage.name}-table-changes-dlq",
                                      retention_period=Duration.days(14))
        self.mail_identity = ses.EmailIdentity(self, "MailSender", identity=ses.Identity.email(mail_sender))
        self._staff_pool()
        self.customer_token_secret = self._secret(
            "CustomerTokenSecret", "HS256 key of the customer tokens that the shop API issues")
        # The provider's signing key is put here after the first deploy; until then the generated value
        # (known to nobody) makes the API refuse every webhook.
        self.payment_webhook_secret = self._secret(
            "PaymentWebhookSecret", "HMAC-SHA256 key of the payment provider's webhooks (the provider's signing key)")
        CfnOutput(self, "PaymentWebhookSecretArn", value=self.payment_webhook_secret.secret_arn,
                  description="Put the payment provider's webhook signing key here, then deploy with "
                              "-c payment_webhook_secret_version=<its VersionId> (infra/README.md, Secrets)")
        self._documents()
        self._reports()

        # Overrides of .chalice/config.json's stage (user parameters win over the file).
        self.imports_bucket_name = f"shop-{stage.name}-imports-{Aws.ACCOUNT_ID}-{Aws.REGION}"
        chalice_config = {
            "autogen_policy": False,
            "manage_iam_role": False,  # our roles instead (iam_role_arn below)
            "automatic_layer": True,  # dependencies in a layer that Chalice caches by requirements.txt
            "environment_variables": {
                "STAGE": stage.name,
                "TABLE_NAME": self.table.ref,
                "TABLE_STREAM_ARN": self.table.attr_stream_arn,
                "IMPORTS_BUCKET": self.imports_bucket_name,
                "DOCUMENTS_BUCKET": self.documents_bucket.bucket_name,
                "REPORTS_BUCKET": self.reports_bucket.bucket_name,
                "MAIL_SENDER": mail_sender,
            },
        }
        sqs_handlers = [s for s in app.event_sources if isinstance(s, SQSEventConfig)]
        import_handlers = [h for h in sqs_handlers if h.queue == IMPORTS_QUEUE]
        job_handlers = [h for h in sqs_handlers if h.queue == JOBS_QUEUE]
        self._imports(visibility_timeout=6 * _longest_timeout(source_dir, stage.name, chalice_config, import_handlers))
        # A job's message is handled by one invocation at a time; one that dies is resumed by the
        # watchdog schedule once its lease runs out, or when the message comes back after this.
        self._jobs(visibility_timeout=_longest_timeout(source_dir, stage.name, chalice_config, job_handlers) + 60)
        roles = self._roles()
        # Chalice gives every function the one iam_role_arn: the API's. Other kinds get theirs below.
        chalice_config["iam_role_arn"] = roles["api"].role_arn
        self.chalice = Chalice(self, "App", source_dir=str(source_dir), stage_config=chalice_config)

        queues = {IMPORTS_QUEUE: self.imports_queue, JOBS_QUEUE: self.jobs_queue}
        for handler in sqs_handlers:
            if handler.queue not in queues:
                raise ValueError(f"{handler.name} reads queue {handler.queue!r}, which infra/ does not define")
            self._event_source(handler.name, "sqs", roles["imports"], {
                "Queue": queues[handler.queue].queue_arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            })
        for handler in [s for s in app.event_sources if isinstance(s, DynamoDBEventConfig)]:
            self._event_source(handler.name, "dynamodb", roles["stream"], {
                "Stream": self.table.attr_stream_arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "MaximumRetryAttempts": STREAM_MAX_RETRIES,
                "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": self.stream_dlq.queue_arn}},
                # derived items' records (search entries, report items...) never reach the function
                "FilterCriteria": {"Filters": stream_filters()},
            })
        own_roles = {REPORT_FILES_SCHEDULE: "reports", JOBS_WATCHDOG_SCHEDULE: "watchdog"}
        for handler in [s for s in app.event_sources if isinstance(s, ScheduledEventConfig)]:
            # The EventBridge rule itself is Chalice's; the report files job alone writes to the reports
            # bucket, the jobs' watchdog alone sends to the jobs queue.
            self._use_role(handler.name, roles[own_roles.get(handler.name, "schedule")])
        self._api()
        for function_id in _function_ids(app):
            group = logs.CfnLogGroup(self, f"{function_id}Logs", retention_in_days=stage.log_retention_days,
                                     log_group_name=f"/aws/lambda/{self.chalice.get_resource(function_id).ref}")
            group.apply_removal_policy(stage.removal_policy)

    def _secret(self, construct_id: str, description: str) -> secretsmanager.Secret:
        return secretsmanager.Secret(
            self, construct_id, description=description, removal_policy=self.stage.removal_policy,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True))

    def _documents(self) -> None:
        """Invoice PDFs: the stream handler writes them, the API hands out presigned GET links (signed
        with its role, so its role needs s3:GetObject). Private: nothing is public, no website.
        No lifecycle rule: invoices must be kept (bookkeeping), so nothing here expires."""
        self.documents_bucket = s3.Bucket(
            self, "DocumentsBucket", bucket_name=f"shop-{self.stage.name}-documents-{Aws.ACCOUNT_ID}-{Aws.REGION}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, enforce_ssl=True,
            removal_policy=self.stage.removal_policy)

    def _reports(self) -> None:
        """The nightly report files: the report job writes them, the API (5-minute links) and the job (a
        week-long link in a scheduled report's email) sign links to them. Private like the documents
        bucket; kept (no lifecycle rule): the merchant's own records, a few KB a day."""
        self.reports_bucket = s3.Bucket(
            self, "ReportsBucket", bucket_name=f"shop-{self.stage.name}-reports-{Aws.ACCOUNT_ID}-{Aws.REGION}",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, enforce_ssl=True,
            removal_policy=self.stage.removal_policy)

    def _queue(self, construct_id: str, name: str, **kwargs) -> sqs.Queue:
        return sqs.Queue(self, construct_id, queue_name=name, encryption=sqs.QueueEncryption.SQS_MANAGED,
                         enforce_ssl=True, **kwargs)

    def _imports(self, visibility_timeout: int) -> None:
        """Bucket -> S3 notification -> queue (-> dead-letter queue). The bucket's name is fixed, so the
        queue policy can name the bucket without referencing it: the notification is plain CloudFormation
        (no custom-resource Lambda, no dependency cycle)."""
        dlq = self._queue("ImportsDeadLetterQueue", f"{IMPORTS_QUEUE}-dlq", retention_period=Duration.days(14))
        self.imports_queue = self._queue(
            "ImportsQueue", IMPORTS_QUEUE, retention_period=Duration.days(4),
            visibility_timeout=Duration.seconds(visibility_timeout),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=IMPORTS_MAX_RECEIVES))
        self.imports_queue.add_to_resource_policy(iam.PolicyStatement(
            sid="OnlyTheImportsBucket", principals=[iam.ServicePrincipal("s3.amazonaws.com")],
            actions=["sqs:SendMessage"], resources=[self.imports_queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": f"arn:{Aws.PARTITION}:s3:::{self.imports_bucket_name}"},
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        self.bucket = s3.Bucket(
            self, "ImportsBucket", bucket_name=self.imports_bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True, removal_policy=self.stage.removal_policy)
        self.bucket.node.default_child.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[s3.CfnBucket.QueueConfigurationProperty(
                event="s3:ObjectCreated:*", queue=self.imports_queue.queue_arn)])
        # S3 checks that it may send to the queue when the notification is created.
        self.bucket.node.add_dependency(self.imports_queue.node.find_child("Policy"))

    def _jobs(self, visibility_timeout: int) -> None:
        """The background jobs' queue: a message names a job to go on with (imports now)."""
        dlq = self._queue("JobsDeadLetterQueue", f"{JOBS_QUEUE}-dlq", retention_period=Duration.days(14))
        self.jobs_queue = self._queue(
            "JobsQueue", JOBS_QUEUE, retention_period=Duration.days(4),
            visibility_timeout=Duration.seconds(visibility_timeout),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=IMPORTS_MAX_RECEIVES))

    def _staff_pool(self) -> None:
        """Staff sign in here; the API checks their ID tokens (JWKS, issuer, audience = the app client)
        and reads the role from cognito:groups. No custom:role attribute, so no user can set their own."""
        self.user_pool = cognito.UserPool(
            self, "StaffPool", user_pool_name=f"shop-{self.stage.name}-staff", self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True), account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            removal_policy=self.stage.removal_policy)
        for role in STAFF_ROLES:
            cognito.CfnUserPoolGroup(self, f"StaffGroup{role.title()}", user_pool_id=self.user_pool.user_pool_id,
                                     group_name=role, description=f"Shop staff role '{role}'")
        self.user_pool_client = self.user_pool.add_client(
            "StaffClient", generate_secret=False, prevent_user_existence_errors=True, disable_o_auth=True,
            auth_flows=cognito.AuthFlow(user_srp=True))

    def _roles(self) -> dict[str, iam.Role]:
        """One role per kind of function with only what its handlers call. Inline policies, so the
        permissions exist as soon as the role does (event source mappings check them when created)."""
        table = self.table.attr_arn
        common = [
            iam.PolicyStatement(sid="OwnLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[
                f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws/lambda/{self.stack_name}-*"]),
            # Transactions are authorized per item action (there is no TransactWriteItems permission).
            iam.PolicyStatement(sid="TableItems", resources=[table], actions=[
                "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeTable"]),
            iam.PolicyStatement(sid="TableQueries", actions=["dynamodb:Query"], resources=[table, f"{table}/index/*"]),
        ]
        invoices = self.documents_bucket.arn_for_objects(f"{INVOICES_PREFIX}*")
        error_files = self.documents_bucket.arn_for_objects(f"{IMPORT_ERRORS_PREFIX}*")
        # Starting a job, handing it over, resuming it: a message on the jobs queue (found by name).
        queue_jobs = iam.PolicyStatement(sid="QueueJobs", actions=["sqs:SendMessage", "sqs:GetQueueUrl"],
                                         resources=[self.jobs_queue.queue_arn])
        report_files = self.reports_bucket.arn_for_objects("*")
        extra = {
            # Presigned links are signed with the API's credentials: S3 checks its role when they are used.
            "api": [iam.PolicyStatement(sid="ReadInvoices", actions=["s3:GetObject"], resources=[invoices]),
                    iam.PolicyStatement(sid="ReadReportFiles", actions=["s3:GetObject"], resources=[report_files]),
                    iam.PolicyStatement(sid="ReadImportErrorFiles", actions=["s3:GetObject"], resources=[error_files]),
                    # the presigned PUT of an upload through POST /admin/imports
                    iam.PolicyStatement(sid="UploadImports", actions=["s3:PutObject"], resources=[
                        self.bucket.arn_for_objects("uploads/*"), self.bucket.arn_for_objects("orders/uploads/*")]),
                    queue_jobs],
            "schedule": [],  # the table only (e.g. cancel_unpaid_orders: Query on GSI3, GetItem, transactions)
            "watchdog": [queue_jobs],  # resume_stalled_jobs: the stalled jobs (a Query) get a message
            # generate_report_files: puts the files (If-None-Match), reads a file's size when it was there
            # already (its emails link to the API, which signs a 5-minute link when one is opened).
            "reports": [iam.PolicyStatement(sid="WriteReportFiles", actions=["s3:PutObject", "s3:GetObject"],
                                            resources=[report_files])],
            # import_files_arrived (S3 notifications) and run_jobs (the jobs' steps)
            "imports": [
                iam.PolicyStatement(sid="ReadImports", actions=["s3:GetObject"],
                                    resources=[self.bucket.arn_for_objects("*")]),
                iam.PolicyStatement(sid="ConsumeImports", resources=[self.imports_queue.queue_arn, self.jobs_queue.queue_arn],
                                    actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
                iam.PolicyStatement(sid="WriteImportErrorFiles", actions=["s3:PutObject"], resources=[error_files]),
                queue_jobs,
                # a background job may walk the table page by page (the search re-index); requests never scan
                iam.PolicyStatement(sid="JobsScanTable", actions=["dynamodb:Scan"], resources=[table]),
            ],
            "stream": [
                iam.PolicyStatement(sid="ReadTableStream", resources=[f"{table}/stream/*"], actions=[
                    "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams"]),
                iam.PolicyStatement(sid="DeadLetters", actions=["sqs:SendMessage"],
                                    resources=[self.stream_dlq.queue_arn]),
                iam.PolicyStatement(sid="SendMail", actions=["ses:SendRawEmail"],
                                    resources=[self.mail_identity.email_identity_arn]),
                iam.PolicyStatement(sid="WriteInvoices", actions=["s3:PutObject"], resources=[invoices]),
            ],
        }
        return {kind: iam.Role(self, f"{kind.title()}FunctionRole",
                               assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                               inline_policies={"shop": iam.PolicyDocument(statements=[*common, *statements])})
                for kind, statements in extra.items()}

    def _use_role(self, handler: str, role: iam.Role) -> CfnResource:
        """Run the handler's function with this role instead of Chalice's one `iam_role_arn`."""
        function = self.chalice.get_resource(to_cfn_resource_name(handler))
        function.add_property_override("Role", role.role_arn)
        return function

    def _event_source(self, handler: str, kind: str, role: iam.Role, properties: dict) -> None:
        """Point the handler's SAM event at our resource (Chalice writes a queue name or the placeholder
        stream ARN; a real reference also orders the deployment) and set what Chalice cannot."""
        function = self._use_role(handler, role)
        event = to_cfn_resource_name(f"{handler}-{kind}-event-source")  # Chalice's name for it
        for key, value in properties.items():
            function.add_property_override(f"Events.{event}.Properties.{key}", value)

    def _api(self) -> None:
        """What only the API needs: the customer-token and webhook keys, the staff pool; our gateway responses."""
        issuer = f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"
        webhook_version = self.node.try_get_context(WEBHOOK_SECRET_VERSION_CONTEXT)
        for key, value in {
            # Dynamic references: CloudFormation resolves them at deploy time; the template holds no secret.
            "CUSTOMER_TOKEN_SECRET": self.customer_token_secret.secret_value.unsafe_unwrap(),
            # Pinning a version changes the template, so the function is updated with the key just put.
            "PAYMENT_WEBHOOK_SECRET": SecretValue.secrets_manager(
                self.payment_webhook_secret.secret_arn, version_id=webhook_version).unsafe_unwrap(),
            "COGNITO_ISSUER": issuer,
            "COGNITO_JWKS_URL": f"{issuer}/.well-known/jwks.json",
            "COGNITO_AUDIENCE": self.user_pool_client.user_pool_client_id,
            "STAFF_EMAIL_DOMAINS": self.node.try_get_context(STAFF_EMAIL_DOMAINS_CONTEXT) or "",
        }.items():
            self.chalice.add_environment_variable(key, value, "APIHandler")
        # A scheduled report's email links to the API (which answers with a fresh 5-minute file link): its address.
        self.chalice.add_environment_variable(
            "API_URL", Fn.sub("https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"), "GenerateReportFiles")
        # In the OpenAPI body rather than as AWS::ApiGateway::GatewayResponse resources: SAM redeploys the
        # stage whenever the body changes, so a new or changed response is live after one deploy.
        self.chalice.get_resource("RestAPI").add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses())


def _chalice_app(source_dir: Path):
    """The project's Chalice app, imported under the name Chalice uses (so it is loaded once)."""
    module = importlib.import_module("app")
    if Path(module.__file__).resolve().parent != source_dir.resolve():
        raise RuntimeError(f"'import app' found {module.__file__}: put {source_dir} first on sys.path")
    return module.app


def _function_ids(app) -> list[str]:
    """Logical ids of the Lambda functions that `chalice package` makes of `app`."""
    if app.websocket_handlers:
        raise NotImplementedError("websocket handlers: give them a log group and a role in infra/")
    names = [*(s.name for s in app.event_sources), *(f.name for f in app.pure_lambda_functions),
             *(a.name for a in app.builtin_auth_handlers)]
    return (["APIHandler"] if app.routes else []) + [to_cfn_resource_name(name) for name in names]


def _longest_timeout(source_dir: Path, stage: str, chalice_config: dict, handlers: list) -> int:
    """The longest Lambda timeout of `handlers` as Chalice will set it (config.json + our overrides)."""
    config = CLIFactory(str(source_dir)).create_config_obj(stage, user_provided_params=dict(chalice_config))
    return max([config.scope(stage, h.name).lambda_timeout or DEFAULT_LAMBDA_TIMEOUT for h in handlers],
               default=DEFAULT_LAMBDA_TIMEOUT)
