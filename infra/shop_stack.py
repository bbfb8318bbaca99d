"""The shop in one CloudFormation stack: table, imports bucket + queue, mail identity, staff pool,
secret, and the Chalice app (API, SQS consumer, stream consumer, schedules) wired to them.

Names that the app also knows (table definition, TTL attribute, queue name, staff roles) are imported
from chalicelib, never copied.
"""
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from chalice.app import DynamoDBEventConfig, SQSEventConfig
from chalice.cdk import Chalice
from chalice.cli.factory import CLIFactory
from chalice.constants import DEFAULT_LAMBDA_TIMEOUT
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from chalicelib.domain.tokens import STAFF_ROLES
from chalicelib.events.handlers import IMPORTS_QUEUE
from chalicelib.store.table import TTL_ATTRIBUTE, table_definition


@dataclass(frozen=True)
class StageConfig:
    name: str
    removal_policy: RemovalPolicy  # of the data: table, bucket, user pool, secret
    log_retention_days: int
    mail_sender: str | None  # default for `-c mail_sender=...`; None: the context value is required


STAGES = {
    "dev": StageConfig("dev", RemovalPolicy.DESTROY, 14, "shop-dev@example.com"),
    "prod": StageConfig("prod", RemovalPolicy.RETAIN, 90, None),
}

# The stream consumer: failed batches are retried this often, then their position goes to the DLQ.
STREAM_MAX_RETRIES = 5
# An import message is tried this often before it lands in the imports dead-letter queue.
IMPORTS_MAX_RECEIVES = 5

# How API Gateway answers by itself (unknown route, throttling, its own errors), in our error envelope.
# type -> (status to force or None to keep API Gateway's, code, message or None for API Gateway's own)
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", "No route matches this method and path."),
    "THROTTLED": (None, "rate_limited", None),
    "QUOTA_EXCEEDED": (None, "rate_limited", None),
    "REQUEST_TOO_LARGE": (None, "payload_too_large", None),
    "UNSUPPORTED_MEDIA_TYPE": (None, "unsupported_media_type", None),
    "DEFAULT_4XX": (None, "bad_request", None),
    "DEFAULT_5XX": (None, "internal_error", None),
}

_TRANSLATED = {"TableName", "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
               "StreamSpecification"}


def table_props(definition: dict) -> dict:
    """CfnTable keyword arguments from the boto3 CreateTable dict of chalicelib.store.table.
    Fails on any key it does not translate, so the table cannot silently drift from the app's."""
    unknown = set(definition) - _TRANSLATED
    if unknown:
        raise ValueError(f"infra/ does not translate these table_definition() keys yet: {sorted(unknown)}")

    def keys(schema: list[dict]) -> list:
        return [dynamodb.CfnTable.KeySchemaProperty(attribute_name=k["AttributeName"], key_type=k["KeyType"])
                for k in schema]

    stream = definition.get("StreamSpecification") or {}
    if not stream.get("StreamEnabled"):
        raise ValueError("the stream handler needs the table's stream: StreamSpecification.StreamEnabled")
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


def _envelope(code: str, message: str | None) -> str:
    """A gateway response template; API Gateway's $context.error.messageString is already a JSON string."""
    text = f'"{message}"' if message else "$context.error.messageString"
    return '{"error":{"code":"%s","message":%s,"details":[]}}' % (code, text)


def gateway_responses() -> dict:
    """The OpenAPI extension for the REST API body (part of the deployment, so no stale responses)."""
    responses = {}
    for kind, (status, code, message) in GATEWAY_RESPONSES.items():
        response = {"responseTemplates": {"application/json": _envelope(code, message)}}
        if status:
            response["statusCode"] = status
        responses[kind] = response
    return responses


class ShopStack(Stack):
    def __init__(self, scope: Construct, stage: StageConfig, *, source_dir: Path, mail_sender: str | None = None,
                 **kwargs) -> None:
        # The construct id is the Chalice stage: the Chalice construct packages the stage named after its scope.
        super().__init__(scope, stage.name, stack_name=f"shop-{stage.name}", **kwargs)
        mail_sender = mail_sender or stage.mail_sender
        if not mail_sender:
            raise ValueError(f"stage {stage.name} needs the sender address: -c mail_sender=orders@your-shop.example")
        retain = stage.removal_policy == RemovalPolicy.RETAIN

        # --- data --------------------------------------------------------------------------------
        self.table = dynamodb.CfnTable(
            self, "Table", **table_props(table_definition(f"shop-{stage.name}")),
            time_to_live_specification=dynamodb.CfnTable.TimeToLiveSpecificationProperty(
                attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery_specification=dynamodb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=True),
            deletion_protection_enabled=retain)
        self.table.apply_removal_policy(stage.removal_policy)

        # --- imports: bucket -> queue (S3 notification) -> import_files_arrived --------------------
        # A fixed bucket name lets the queue policy name the bucket without referencing it, so the
        # notification is plain CloudFormation (no custom-resource Lambda, no dependency cycle).
        bucket_name = f"shop-{stage.name}-imports-{Aws.ACCOUNT_ID}-{Aws.REGION}"
        bucket_arn = f"arn:{Aws.PARTITION}:s3:::{bucket_name}"
        self.imports_dlq = sqs.Queue(
            self, "ImportsDeadLetterQueue", queue_name=f"{IMPORTS_QUEUE}-dlq", retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        chalice_config = self._chalice_config(stage, mail_sender)
        self.imports_queue = sqs.Queue(
            self, "ImportsQueue", queue_name=IMPORTS_QUEUE,
            visibility_timeout=Duration.seconds(6 * _handler_timeout(source_dir, stage.name, chalice_config,
                                                                      _sqs_handlers(source_dir))),
            encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.imports_dlq, max_receive_count=IMPORTS_MAX_RECEIVES))
        self.imports_queue.add_to_resource_policy(iam.PolicyStatement(
            sid="OnlyTheImportsBucket", principals=[iam.ServicePrincipal("s3.amazonaws.com")],
            actions=["sqs:SendMessage"], resources=[self.imports_queue.queue_arn],
            conditions={"ArnEquals": {"aws:SourceArn": bucket_arn},
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        self.bucket = s3.Bucket(
            self, "ImportsBucket", bucket_name=bucket_name, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, removal_policy=stage.removal_policy)
        cfn_bucket: s3.CfnBucket = self.bucket.node.default_child
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[s3.CfnBucket.QueueConfigurationProperty(
                event="s3:ObjectCreated:*", queue=self.imports_queue.queue_arn)])
        # S3 checks that it may send to the queue when the notification is created.
        self.bucket.node.add_dependency(self.imports_queue.node.find_child("Policy"))

        # --- stream consumer's dead letters (on-failure destination) -------------------------------
        self.stream_dlq = sqs.Queue(
            self, "TableChangesDeadLetterQueue", queue_name=f"shop-{stage.name}-table-changes-dlq",
            retention_period=Duration.days(14), encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)

        # --- mail, staff sign-in, secrets ----------------------------------------------------------
        self.mail_identity = ses.EmailIdentity(self, "MailSender", identity=ses.Identity.email(mail_sender))
        self.user_pool = cognito.UserPool(
            self, "StaffPool", user_pool_name=f"shop-{stage.name}-staff", self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True), account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            removal_policy=stage.removal_policy)
        for role in STAFF_ROLES:  # tokens carry them in cognito:groups
            cognito.CfnUserPoolGroup(self, f"StaffGroup{role.title()}", user_pool_id=self.user_pool.user_pool_id,
                                     group_name=role, description=f"Shop staff role '{role}'")
        self.user_pool_client = self.user_pool.add_client(
            "StaffClient", generate_secret=False, prevent_user_existence_errors=True,
            auth_flows=cognito.AuthFlow(user_srp=True))
        self.customer_token_secret = secretsmanager.Secret(
            self, "CustomerTokenSecret", description="HS256 key of the customer tokens issued by the shop API",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=stage.removal_policy)

        # --- the app -------------------------------------------------------------------------------
        self.roles = self._roles()
        chalice_config["iam_role_arn"] = self.roles["api"].role_arn
        self.chalice = Chalice(self, "App", source_dir=str(source_dir), stage_config=chalice_config)
        self._wire_event_sources(source_dir)
        self._wire_api()

    # ---------------------------------------------------------------------------------------------
    def _chalice_config(self, stage: StageConfig, mail_sender: str) -> dict:
        """Overrides of .chalice/config.json's stage: our roles, the real resource names, log retention."""
        return {
            "autogen_policy": False,
            "manage_iam_role": False,  # iam_role_arn is set once the roles exist
            "log_retention_in_days": stage.log_retention_days,
            "environment_variables": {
                "STAGE": stage.name,
                "TABLE_NAME": self.table.ref,
                "TABLE_STREAM_ARN": self.table.attr_stream_arn,
                "IMPORTS_BUCKET": f"shop-{stage.name}-imports-{Aws.ACCOUNT_ID}-{Aws.REGION}",
                "MAIL_SENDER": mail_sender,
            },
        }

    def _roles(self) -> dict[str, iam.Role]:
        """One role per kind of function, each with only what its handlers call. Inline policies: the
        permissions exist as soon as the role does (event source mappings check them at creation)."""
        table_arn = self.table.attr_arn
        logs = iam.PolicyStatement(
            sid="OwnLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}"
                       f":log-group:/aws/lambda/{self.stack_name}-*"])
        items = iam.PolicyStatement(
            sid="TableItems", resources=[table_arn],
            actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                     "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"])
        queries = iam.PolicyStatement(sid="TableQueries", actions=["dynamodb:Query"],
                                      resources=[table_arn, f"{table_arn}/index/*"])
        common = [logs, items, queries]
        extra = {
            "api": [],
            "imports": [
                iam.PolicyStatement(sid="ReadImports", actions=["s3:GetObject"],
                                    resources=[self.bucket.arn_for_objects("*")]),
                iam.PolicyStatement(sid="ConsumeImportsQueue", resources=[self.imports_queue.queue_arn],
                                    actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
            ],
            "stream": [
                iam.PolicyStatement(sid="ReadTableStream", resources=[f"{table_arn}/stream/*"],
                                    actions=["dynamodb:DescribeStream", "dynamodb:GetRecords",
                                             "dynamodb:GetShardIterator", "dynamodb:ListStreams"]),
                iam.PolicyStatement(sid="DeadLetters", actions=["sqs:SendMessage"],
                                    resources=[self.stream_dlq.queue_arn]),
                iam.PolicyStatement(sid="SendMail", actions=["ses:SendRawEmail"],
                                    resources=[self.mail_identity.email_identity_arn]),
            ],
        }
        return {
            kind: iam.Role(self, f"{kind.title()}FunctionRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                           inline_policies={"shop": iam.PolicyDocument(statements=[*common, *statements])})
            for kind, statements in extra.items()
        }

    def _wire_event_sources(self, source_dir: Path) -> None:
        """Chalice writes a queue name and a placeholder stream ARN; point them at the real resources
        (which also orders the deployment), switch on partial batch responses, bound the retries."""
        for handler in _sqs_handlers(source_dir):
            if handler.queue != IMPORTS_QUEUE:
                raise ValueError(f"{handler.name} reads queue {handler.queue!r}, which infra/ does not define")
            self._override_event(handler.name, "sqs", self.roles["imports"], {
                "Queue": self.imports_queue.queue_arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            })
        for handler in _event_sources(source_dir, DynamoDBEventConfig):
            self._override_event(handler.name, "dynamodb", self.roles["stream"], {
                "Stream": self.table.attr_stream_arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "MaximumRetryAttempts": STREAM_MAX_RETRIES,
                "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": self.stream_dlq.queue_arn}},
            })

    def _override_event(self, handler: str, kind: str, role: iam.Role, properties: dict) -> None:
        function = self.chalice.get_resource(to_cfn_resource_name(handler))
        function.add_property_override("Role", role.role_arn)
        event = to_cfn_resource_name(f"{handler}-{kind}-event-source")  # Chalice's name for the event
        for key, value in properties.items():
            function.add_property_override(f"Events.{event}.Properties.{key}", value)

    def _wire_api(self) -> None:
        api_function = "APIHandler"
        self.chalice.add_environment_variable("CUSTOMER_TOKEN_SECRET",
                                              self.customer_token_secret.secret_value.unsafe_unwrap(), api_function)
        issuer = f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"
        for key, value in {"COGNITO_ISSUER": issuer, "COGNITO_JWKS_URL": f"{issuer}/.well-known/jwks.json",
                           "COGNITO_AUDIENCE": self.user_pool_client.user_pool_client_id}.items():
            self.chalice.add_environment_variable(key, value, api_function)
        self.chalice.get_resource("RestAPI").add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses())


def _chalice_app(source_dir: Path):
    """The project's Chalice app (imported by the name Chalice itself uses, so it is loaded once)."""
    import importlib

    module = importlib.import_module("app")
    if Path(module.__file__).resolve().parent != source_dir.resolve():
        raise RuntimeError(f"'import app' found {module.__file__}: put {source_dir} first on sys.path")
    return module.app


def _event_sources(source_dir: Path, kind: type) -> list:
    return [s for s in _chalice_app(source_dir).event_sources if isinstance(s, kind)]


def _sqs_handlers(source_dir: Path) -> list[SQSEventConfig]:
    return _event_sources(source_dir, SQSEventConfig)


def _handler_timeout(source_dir: Path, stage: str, chalice_config: dict, handlers: list) -> int:
    """The longest Lambda timeout among `handlers`, as Chalice will configure it (config.json + ours)."""
    config = CLIFactory(str(source_dir)).create_config_obj(stage, user_provided_params=dict(chalice_config))
    return max([config.scope(stage, h.name).lambda_timeout or DEFAULT_LAMBDA_TIMEOUT for h in handlers],
               default=DEFAULT_LAMBDA_TIMEOUT)
