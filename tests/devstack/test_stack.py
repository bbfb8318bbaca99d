"""The whole local stack as `make run` starts it (a subprocess, see support.py), used as a developer would."""
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from chalicelib.domain.payments import SIGNATURE_HEADER, sign
from tests.devstack.support import ROOT, Stack, wait_until


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


def test_a_method_a_path_does_not_declare_gets_the_apps_answer_whatever_the_method(stack):
    # Given a path that declares GET only
    # When a client sends it PUT, or TRACE or QUERY (which the bare local server answered itself with a 501 page)
    methods = ("PUT", "TRACE", "QUERY")
    answers = {method: stack.call(method, "/store/products") for method in methods}

    # Then each gets the app's own 405 in JSON, and nothing is a server error
    assert {method: status for method, (status, _) in answers.items()} == dict.fromkeys(methods, 405)
    assert [answers[m][1]["Message"] for m in methods] == [f"Unsupported method: {m}" for m in methods]
    # And the answer names the methods the path has
    request = urllib.request.Request(f"{stack.url}/store/products", method="TRACE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=15)
    assert refused.value.headers["Allow"] == "GET"


def test_a_path_no_route_has_is_a_404_in_the_error_envelope_that_quotes_nothing(stack):
    # Given paths that no route has, asked with and without a bearer token
    for path, token in (("/no/such/path", None), ("/admin/no-such-thing", stack.admin_token), ("/store/products/x/y", "abc.def")):
        # When a client calls one
        status, body = stack.call("GET", path, token=token)
        # Then it is the 404 that API Gateway answers in AWS (infra/), in the error envelope
        assert (status, body) == (404, {"error": {"code": "not_found", "message": "No route matches this method and path.",
                                                  "details": []}}), path
        # And the answer never quotes the token it was sent
        assert token is None or token not in json.dumps(body)


def test_staff_create_and_read_a_customer_with_the_printed_token(stack):
    body = {"email": "lin@example.com", "first_name": "Lin", "last_name": "Chen"}
    status, created = stack.call("POST", "/admin/customers", body, token=stack.admin_token)
    assert status == 201, created
    status, read = stack.call("GET", f"/admin/customers/{created['id']}", token=stack.admin_token)
    assert status == 200 and read["email"] == "lin@example.com"


def test_make_token_signs_with_the_stacks_secret(stack):
    command = [sys.executable, "-m", "devstack.token", "--role", "support", "--data-dir", str(stack.data_dir)]
    token = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    assert stack.call("GET", "/admin/customers", token=token)[0] == 200
    assert stack.call("GET", "/admin/customers", token=token + "x")[0] == 401


def test_a_csv_dropped_in_the_imports_bucket_becomes_an_import_job(stack):
    # Given a merchant's CSV file dropped into the imports bucket
    key = "uploads/spring customers.csv"  # a space: S3 notifications carry the key URL-encoded
    stack.client("s3", stack.moto_port).put_object(
        Bucket="shop-dev-imports", Key=key, Body=b"Email,First Name,Last Name\nmia@example.com,Mia,Wong\n")

    # When the pump has delivered the bucket's notification to the app's handler
    def job():
        status, listed = stack.call("GET", "/admin/imports", token=stack.admin_token)
        assert status == 200, listed
        return next((item for item in listed["items"] if item["source"] == key), None)

    # Then staff see a customer import job for that file (what the job reads from it: tests/events)
    found = wait_until(job, what="the import job")
    status, detail = stack.call("GET", f"/admin/imports/{found['id']}", token=stack.admin_token)
    assert status == 200 and (detail["kind"], detail["source"]) == ("customers", key)


def test_registration_sends_a_welcome_email_through_the_stream(stack):
    body = {"email": "noor@example.com", "password": "a-long-password", "first_name": "Noor", "last_name": "Ali"}
    status, reply = stack.call("POST", "/store/customers", body)
    assert status == 201, reply

    def welcome():
        return next((m for m in stack.call("GET", "/dev/mail")[1]["items"] if m["to"] == "noor@example.com"), None)

    mail = wait_until(welcome, what="the welcome email")
    assert mail["subject"] and (stack.data_dir / "mail" / mail["file"]).is_file()
    assert "stream -> table_changed" in stack.output() and "noor@example.com" not in stack.output()


@pytest.mark.parametrize("bucket", ["shop-dev-documents", "shop-dev-reports"])
def test_the_private_buckets_exist_and_are_private(stack, bucket):
    s3 = stack.client("s3", stack.moto_port)
    blocked = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert set(blocked.values()) == {True}
    assert bucket in stack.output()


def test_the_webhook_key_is_in_the_secrets_file_not_in_the_output(stack):
    # Given the dev secrets file that the banner points to
    path = stack.data_dir / "secrets.json"
    values = json.loads(path.read_text())
    assert f"Dev secrets     {path}" in stack.output()

    # Then no secret is in the output
    assert not [name for name, value in values.items() if value in stack.output()]

    # And the app checks webhook signatures with the file's key: a signed empty event is invalid (422),
    # a wrongly signed one unauthorized (401)
    def post(key: str) -> int:
        body = b"{}"
        request = urllib.request.Request(f"{stack.url}/webhooks/payments", data=body, method="POST", headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(key, int(time.time()), body)})
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    assert post(values["payment_webhook_secret"]) == 422
    assert post("another-key") == 401


def test_make_schedule_fires_a_schedule_of_the_app_now(stack):
    def make_schedule(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "devstack.fire", *args, "--port", str(stack.port)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)

    # Given the running stack, whose banner points to its schedules
    assert f"{stack.url}/dev/schedules" in stack.output()

    # When a person lists the schedules (make schedule), then fires one (make schedule NAME=...)
    listed = make_schedule()
    fired = make_schedule("cancel_unpaid_orders")

    # Then the list names every schedule of the app, and the one named ran at once in the stack
    from app import app
    from devstack.schedules import schedule_configs

    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [c.name for c in schedule_configs(app)]
    assert "cancel_unpaid_orders" in listed.stdout
    assert fired.returncode == 0, fired.stderr
    assert fired.stdout.strip() == 'cancel_unpaid_orders (rate(15 minutes)): done {"cancelled": 0}'
    assert stack.output_has("schedule rate(15 minutes) -> cancel_unpaid_orders (fired now): done")

    # And an unknown name fails, listing the names
    unknown = make_schedule("no_such_job")
    names = ", ".join(c.name for c in schedule_configs(app))
    assert unknown.returncode == 1 and unknown.stderr.strip() == f"404: No schedule by that name. (one of: {names})"
