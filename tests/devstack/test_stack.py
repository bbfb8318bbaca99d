"""The whole local stack as `make run` starts it: `python -m devstack` in a subprocess, on free ports,
with a temporary data folder and an explicit environment (this test process's settings stay out)."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_processes(marker: str) -> list[int]:
    """DynamoDB Local processes whose command line names this data folder (so: started by that stack)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"DynamoDBLocal.jar" in w for w in words) and any(marker.encode() in w for w in words):
            found.append(int(cmdline.parent.name))
    return found


def wait_until(check, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    """One `python -m devstack` subprocess; its output is collected by a thread."""

    def __init__(self, data_dir: Path, *args: str):
        self.data_dir = data_dir
        self.port, self.moto_port, self.dynamodb_port = free_port(), free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "JAVA_HOME", "TMPDIR")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--data-dir", str(data_dir), "--port", str(self.port),
             "--moto-port", str(self.moto_port), "--dynamodb-port", str(self.dynamodb_port), *args],
            cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()
        try:
            wait_until(lambda: self.output_has("Local stack ready") or self.process.poll() is not None, START_TIMEOUT,
                       "the stack to start")
            assert self.process.poll() is None, self.output()
        except BaseException:
            self.kill()
            raise
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = next(line.split()[-1] for line in self.lines if "Admin token" in line)

    def output(self) -> str:
        return "".join(self.lines)

    def output_has(self, text: str) -> bool:
        return text in self.output()

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                return reply.status, json.loads(reply.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def client(self, service: str, port: int):
        return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for pid in java_processes(str(self.data_dir)):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("devstack"), "--fresh")
    yield running
    running.kill()


def test_the_api_answers_and_describes_itself(stack):
    status, document = stack.call("GET", "/openapi.json")
    assert status == 200 and "/admin/customers" in document["paths"]
    for url in (f"{stack.url}/openapi.json", f"{stack.url}/dev/mail", f"127.0.0.1:{stack.moto_port}",
                f"127.0.0.1:{stack.dynamodb_port}"):
        assert url in stack.output()


def test_staff_create_and_read_a_customer_with_the_printed_token(stack):
    body = {"email": "lin@example.com", "first_name": "Lin", "last_name": "Chen"}
    status, created = stack.call("POST", "/admin/customers", body, token=stack.admin_token)
    assert status == 201, created
    status, read = stack.call("GET", f"/admin/customers/{created['id']}", token=stack.admin_token)
    assert status == 200 and read["email"] == "lin@example.com"


def test_make_token_signs_with_the_stacks_secret(stack):
    token = subprocess.run([sys.executable, "-m", "devstack.token", "--role", "support", "--data-dir", str(stack.data_dir)],
                           cwd=ROOT, capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    assert stack.call("GET", "/admin/customers", token=token)[0] == 200
    assert stack.call("GET", "/admin/customers", token=token + "x")[0] == 401


def test_a_csv_dropped_in_the_imports_bucket_becomes_an_import_job(stack):
    key = "uploads/spring customers.csv"  # a space: S3 notifications carry the key URL-encoded
    stack.client("s3", stack.moto_port).put_object(
        Bucket="shop-dev-imports", Key=key, Body=b"Email,First Name,Last Name\nmia@example.com,Mia,Wong\n")
    dynamodb = stack.client("dynamodb", stack.dynamodb_port)

    def job():
        items = dynamodb.scan(TableName="shop-dev", FilterExpression="begins_with(PK, :job)",
                              ExpressionAttributeValues={":job": {"S": "JOB#"}})["Items"]
        return next((item for item in items if item["source"]["S"] == key), None)

    found = wait_until(job, what="the import job")
    assert found["SK"]["S"] == "JOB" and "Email" in json.dumps(found["columns"])


def test_registration_sends_a_welcome_email_through_the_stream(stack):
    body = {"email": "noor@example.com", "password": "a-long-password", "first_name": "Noor", "last_name": "Ali"}
    status, reply = stack.call("POST", "/store/customers", body)
    assert status == 201, reply

    def welcome():
        return next((m for m in stack.call("GET", "/dev/mail")[1]["items"] if m["to"] == "noor@example.com"), None)

    mail = wait_until(welcome, what="the welcome email")
    assert mail["subject"] and (stack.data_dir / "mail" / mail["file"]).is_file()
    assert "stream -> table_changed" in stack.output() and "noor@example.com" not in stack.output()


def test_data_outlives_a_restart_and_stopping_leaves_no_java(tmp_path):
    first = Stack(tmp_path, "--fresh", "--demo")
    try:
        assert first.output_has("demo customers: 5 created, 0 already there")
        status, listed = first.call("GET", "/admin/customers?limit=200", token=first.admin_token)
        assert status == 200 and "ada.lovelace@example.com" in json.dumps(listed)
        mails = wait_until(lambda: len(list((tmp_path / "mail").glob("*.eml"))) == 2 and 2, what="2 welcome emails")
        assert java_processes(str(tmp_path))
        assert first.stop(signal.SIGINT) == 0
        assert first.output_has("stopped") and not java_processes(str(tmp_path))
    finally:
        first.kill()

    second = Stack(tmp_path, "--demo")
    try:
        assert second.output_has("demo customers: 0 created, 5 already there")
        assert second.call("GET", "/admin/customers?limit=200", token=first.admin_token)[0] == 200  # same secret
        time.sleep(2)  # the stream pump resumes after its checkpoint: no welcome email is sent again
        assert len(list((tmp_path / "mail").glob("*.eml"))) == mails
        assert second.stop(signal.SIGTERM) == 0
        assert not java_processes(str(tmp_path))
    finally:
        second.kill()
