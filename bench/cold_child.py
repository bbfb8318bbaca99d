"""One cold start, in a fresh process that cold_start.py starts: import a handler module and answer one
API Gateway event as Lambda does (`app.app(event, context)`); print the timings (ms) as JSON.

    cold_child.py APP_DIR EVENT_JSON
"""
import time

STARTED = time.perf_counter()  # before anything else of ours is imported

import json  # noqa: E402
import sys  # noqa: E402


class LambdaContext:
    """The attributes a handler may read from Lambda's context object."""

    function_name = "shop"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop"
    aws_request_id = "cold-start"
    log_group_name = "/aws/lambda/shop"
    log_stream_name = "cold-start"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def main() -> None:
    app_dir, event = sys.argv[1], json.loads(sys.argv[2])
    sys.path.insert(0, app_dir)
    import app  # Lambda's init: the handler module

    imported = time.perf_counter()
    response = app.app(event, LambdaContext())
    answered = time.perf_counter()
    cpu = time.process_time()  # since the process started: less swayed than wall time by a busy machine
    if response["statusCode"] != 200:
        sys.exit(f"expected 200, got {response}")
    print(json.dumps({"import": (imported - STARTED) * 1000, "request": (answered - imported) * 1000,
                      "in_process": (answered - STARTED) * 1000, "cpu": cpu * 1000}))


if __name__ == "__main__":
    main()
