"""A small JSON client over Chalice's test client, and tokens for each kind of caller."""
import json as jsonlib
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from chalicelib.domain.tokens import issue_dev_staff_token
from chalicelib.settings import get_settings


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None

    @property
    def error_code(self) -> str | None:
        body = self.json
        return body["error"]["code"] if isinstance(body, dict) and "error" in body else None


def staff_token(role: str = "admin", subject: str = "staff-1") -> str:
    return issue_dev_staff_token(subject, role, get_settings().staff_token_secret)


class Api:
    def __init__(self, client: Client):
        self.client = client

    def call(self, method: str, path: str, json: Any = None, token: str | None = None, body: bytes | str | None = None,
             headers: dict | None = None) -> Reply:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if json is not None:
            body = jsonlib.dumps(json)
        r = self.client.http.request(method, path, headers=all_headers, body=body or b"")
        return Reply(r.status_code, r.headers, r.body)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)
