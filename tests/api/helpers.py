"""Request helpers and the 'nothing was stored' check shared by API tests."""

import json
from typing import Any

from tests.conftest import boto

REPORT = {
    "title": "Path traversal in export",
    "description": "GET /export?file=../../etc/passwd returns the server's passwd file.",
    "product": "example-app",
    "version": "2.0.1",
    "severity": "critical",
    "policy_accepted": True,
    "reporter": {"name": "Linus", "email": "linus@example.org"},
}
JSON = {"Content-Type": "application/json"}


def post_report(api: Any, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    payload = (
        body if isinstance(body, str | bytes) else json.dumps(REPORT if body is None else body)
    )
    return api.post("/reports", headers=headers or JSON, body=payload)


def stored_objects() -> list[str]:
    answer = boto("s3").list_object_versions(Bucket="vdp-local-reports")
    return [v["Key"] for v in answer.get("Versions", [])]


def stored_items() -> list[dict[str, Any]]:
    return boto("dynamodb").scan(TableName="vdp-local")["Items"]


def error_of(response: Any) -> dict[str, Any]:
    body = json.loads(response.body)
    assert set(body) == {"error"}
    return body["error"]
