"""The local stack behind `make run`: DynamoDB Local + moto + the Chalice app + an event pump.

Nothing here is deployed: it stands in for what AWS does around the Lambda function (event source
mappings, EventBridge rules), so the app's real handlers run on a laptop without internet or Docker."""
import time


def log(message: str) -> None:
    """One short line on stdout (flushed: the stack is often read through a pipe). No personal data."""
    print(f"{time.strftime('%H:%M:%S')} devstack  {message}", flush=True)
