"""Logs are JSON lines with the request's correlation id, and never carry personal data or secrets."""
import io
import json

import pytest

SHOPPER = {"email": "priya.secret@example.com", "password": "my very secret password", "first_name": "Priya",
           "last_name": "Raman", "phone": "+44 20 7946 0958"}


@pytest.fixture
def log_lines():
    """What the app logs at INFO (the functions' level; the tests otherwise run at WARNING)."""
    from chalicelib.logs import logger

    level, written = logger.log_level, io.StringIO()
    logger.setLevel("INFO")
    earlier = logger.registered_handler.setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines() if line.strip()]
    logger.registered_handler.setStream(earlier)
    logger.setLevel(level)


def test_log_lines_carry_the_request_id_and_no_personal_data(api, admin_token, log_lines):
    # When a shopper registers, logs in (once wrongly), and staff read and change the record
    created = api.post("/store/customers", SHOPPER, headers={"X-Request-Id": "req-1"}).json
    api.post("/store/login", {"email": SHOPPER["email"], "password": "wrong password!"}, headers={"X-Request-Id": "req-2"})
    token = api.post("/store/login", {"email": SHOPPER["email"], "password": SHOPPER["password"]}).json["token"]
    api.get("/store/me", token=token)
    api.patch(f"/admin/customers/{created['id']}", {"phone": "+1 555 010 7788"}, token=admin_token)
    api.post("/admin/customers", {"email": "not-an-email", "first_name": "X", "last_name": "Y"}, token=admin_token)
    # Then every line is JSON, tied to its request, and free of what the shopper sent
    lines = log_lines()
    assert {"req-1", "req-2"} <= {line.get("correlation_id") for line in lines}
    assert len(lines) == 6 and all(line["message"] == "request" and line["status"] for line in lines)
    text = json.dumps(lines)
    for secret in (SHOPPER["email"], SHOPPER["password"], "wrong password!", "7946", "7788", "Priya", "Raman", token,
                   admin_token, "not-an-email"):
        assert secret not in text
