"""Starts the local stack's pieces in dependency order; stop() undoes whatever was started.

Everything but DynamoDB Local (Java) runs in this process: moto's server, the Chalice app served by
chalice's own local server (what `chalice local` runs), and the event pump's threads."""
import atexit
import functools
import importlib
import os
import shutil
import socket
import sys
import threading

from devstack import dynamodb, log
from devstack.aws import ensure_imports_bucket, ensure_private_bucket, ensure_queue, ensure_table, start_moto, verify_sender
from devstack.config import HOST, ROOT, UNSET_ENVIRONMENT, Options, app_environment, chalice_config, load_secrets, secrets_file


def _require_free(port: int, what: str) -> None:
    """Bind as the servers do, with SO_REUSEADDR (http.server's and so Chalice's and moto's
    allow_reuse_address, Jetty's default in DynamoDB Local): a port whose last run's connections still
    wait in TIME-WAIT is free for them, a port that something listens on is not."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            message = f"Port {port} ({what}) is in use: stop what uses it or choose another port (see --help)."
            raise SystemExit(message) from None


class Stack:
    def __init__(self, options: Options):
        self.options = options
        self.stopping = threading.Event()
        self.java = self.moto = self.server = None
        self.workers: list[threading.Thread] = []

    def start(self) -> None:
        o = self.options
        atexit.register(self.stop)  # also when start() fails half-way or the main thread dies
        for port, what in ((o.port, "app"), (o.moto_port, "moto"), (o.dynamodb_port, "DynamoDB Local")):
            _require_free(port, what)
        if o.fresh:
            for folder in (o.dynamodb_dir, o.mail_dir):
                shutil.rmtree(folder, ignore_errors=True)
            o.checkpoints_file.unlink(missing_ok=True)
        secret_values = load_secrets(o.data_dir)
        self.java = dynamodb.start(o.dynamodb_port, o.dynamodb_dir, o.data_dir / "dynamodb.log")
        self.moto = start_moto(o.moto_port)
        for name in UNSET_ENVIRONMENT:
            os.environ.pop(name, None)
        os.environ.update(app_environment(o, secret_values))
        dynamodb.wait_until_listening(self.java, o.dynamodb_port)
        app = self._load_app()
        self._create_resources(app)
        if o.demo:
            from devstack import demo

            demo.load()
        self._start_pump(app)
        self._serve(app)
        self._print_banner(secret_values["staff_token_secret"])

    def _load_app(self):
        """The table first: the app is given its real stream ARN, as infra/ does in AWS. The stack's own
        dev routes (devstack/dev_routes.py) are added to it."""
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import boto3

        from chalicelib.settings import get_settings

        os.environ["TABLE_STREAM_ARN"] = ensure_table(boto3.client("dynamodb"), get_settings().table_name)
        get_settings.cache_clear()
        app = importlib.import_module("app").app
        from devstack.dev_routes import bp as dev_routes

        app.register_blueprint(dev_routes)
        return app

    def _create_resources(self, app) -> None:
        import boto3
        from chalice.app import SQSEventConfig

        from chalicelib.events.handlers import IMPORTS_QUEUE
        from chalicelib.settings import get_settings
        from devstack.pump import queue_name

        settings, sqs = get_settings(), boto3.client("sqs")
        queues = {IMPORTS_QUEUE} | {queue_name(c) for c in app.event_sources if isinstance(c, SQSEventConfig)}
        arns = {name: ensure_queue(sqs, name) for name in sorted(queues)}
        ensure_imports_bucket(boto3.client("s3"), settings.imports_bucket, arns[IMPORTS_QUEUE])
        ensure_private_bucket(boto3.client("s3"), settings.documents_bucket)
        ensure_private_bucket(boto3.client("s3"), settings.reports_bucket)
        verify_sender(boto3.client("ses"), settings.mail_sender)

    def _start_pump(self, app) -> None:
        import boto3
        from chalice.app import DynamoDBEventConfig, SQSEventConfig

        from devstack.pump import Checkpoints, SqsPoller, StreamPoller
        from devstack.schedules import Scheduler, schedule_configs

        sqs, streams = boto3.client("sqs"), boto3.client("dynamodbstreams")
        checkpoints = Checkpoints(self.options.checkpoints_file)
        sources = app.event_sources
        self.workers = [SqsPoller(app, c, sqs, self.stopping) for c in sources if isinstance(c, SQSEventConfig)]
        self.workers += [StreamPoller(app, c, streams, checkpoints, self.stopping)
                         for c in sources if isinstance(c, DynamoDBEventConfig)]
        schedules = schedule_configs(app)
        if schedules:
            self.workers.append(Scheduler(app, schedules, self.stopping, self.options.schedule_speed))
        for worker in self.workers:
            worker.start()

    def _serve(self, app) -> None:
        from chalice.local import ChaliceRequestHandler, ForbiddenError, create_local_server

        from chalicelib.api.routing import UNKNOWN_ROUTE, error_response

        class Handler(ChaliceRequestHandler):
            """Chalice's, with three fixes of the server around the app:
            - a reply goes out in two writes (head, then body): with Nagle's algorithm on, a keep-alive
              client (requests.Session, a browser) waits for its delayed ACK, about 40 ms a request;
            - every method reaches the app, not only the seven that chalice's handler names: http.server
              answered the others (TRACE, QUERY, ...) itself with a 501 HTML page, where the app answers
              405 with an Allow header for a method that a path does not declare;
            - a path no route has is the 404 in the error envelope that API Gateway answers in AWS (infra/,
              its gateway responses), not chalice's 403, which quotes the request's Authorization header."""

            disable_nagle_algorithm = True

            def __getattr__(self, name: str):
                if name.startswith("do_"):  # http.server dispatches the request's method to do_<METHOD>
                    return self._generic_handle
                raise AttributeError(name)

            def _send_error_response(self, error) -> None:
                if not isinstance(error, ForbiddenError):  # the app has no authorizer: only "no such route"
                    super()._send_error_response(error)
                    return
                answer = error_response(*UNKNOWN_ROUTE)
                self._send_http_response(answer.status_code, dict(answer.headers), answer.body)

        server = create_local_server(app, chalice_config(), HOST, self.options.port)
        server.server.RequestHandlerClass = functools.partial(Handler, app_object=app, config=chalice_config())
        self.server = server
        threading.Thread(target=server.server.serve_forever, name="app", daemon=True).start()

    def _print_banner(self, staff_secret: str) -> None:
        from chalicelib.domain.tokens import issue_dev_staff_token

        o = self.options
        api = o.url(o.port)
        lines = [
            f"Local stack ready. Data in {o.data_dir}. Ctrl-C stops it.",
            f"  API             {api}/",
            f"  OpenAPI         {api}/openapi.json",
            f"  Mail sent       {api}/dev/mail  (files in {o.mail_dir})",
            f"  Schedules       {api}/dev/schedules  (fire one now: make schedule NAME=<name>)",
            (f"  moto            {o.url(o.moto_port)}  (S3, SQS, SES, EventBridge; "
             f"buckets {os.environ['IMPORTS_BUCKET']}, {os.environ['DOCUMENTS_BUCKET']}, {os.environ['REPORTS_BUCKET']})"),
            f"  DynamoDB Local  {o.url(o.dynamodb_port)}  (table {os.environ['TABLE_NAME']})",
            f"  Admin token     {issue_dev_staff_token('dev-admin', 'admin', staff_secret)}",
            # Keys (payment webhook key among them) by place only: never their values in the output.
            f"  Dev secrets     {secrets_file(o.data_dir)}  (token keys, payment webhook key)",
            f"  Try: curl -H 'Authorization: Bearer <admin token>' {api}/admin/customers",
        ]
        print("\n".join(lines), flush=True)

    def wait(self) -> None:
        self.stopping.wait()

    def stop(self) -> None:
        """Idempotent: the app, the pump, moto, then Java (terminate, then kill)."""
        self.stopping.set()
        server, self.server = self.server, None
        if server:
            server.shutdown()
        for worker in self.workers:
            worker.join(timeout=5)
        self.workers = []
        moto, self.moto = self.moto, None
        if moto:
            moto.stop()
        java, self.java = self.java, None
        if java:
            dynamodb.stop(java)
            log("stopped")
