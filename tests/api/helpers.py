"""Request helpers and the 'what was stored' checks shared by API tests."""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib import bootstrap
from chalicelib.domain.policy.document import DEFAULT_POLICY
from tests.builders import API_REPORT
from tests.conftest import boto

JSON = {"Content-Type": "application/json"}
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def post_report(api: Any, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    payload = (
        body if isinstance(body, str | bytes) else json.dumps(API_REPORT if body is None else body)
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


def report_items() -> list[dict[str, Any]]:
    """The stored reports' metadata items."""
    return [i for i in stored_items() if i["SK"]["S"] == "META"]


def reports_stored() -> list[str]:
    """Report items and objects; a bot's submission may only count against the limits
    and keep its answer for a retry under its Idempotency-Key, as a report's would."""
    housekeeping = ("RATE#", "IDEMP#")
    items = [
        i["PK"]["S"]
        for i in stored_items()
        if not i["PK"]["S"].startswith(housekeeping) and i["SK"]["S"] != "DECOY"
    ]
    return items + [key for key in stored_objects() if key.startswith("reports/")]


def form_post(api: Any, fields: dict[str, str], accept: str = HTML_ACCEPT) -> Any:
    """The form as a browser without JavaScript sends it."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    return api.post("/reports", headers=headers, body=urlencode(fields))


def multipart(
    fields: dict[str, str], files: list[tuple[str, bytes]]
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a form with files, as a browser encodes it."""
    boundary = "vdp-test-boundary-7f3a"
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        chunks.append(head.encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": HTML_ACCEPT}
    return headers, b"".join(chunks)


def page_key(html: str) -> str:
    """The Idempotency-Key a form page carries in its hidden field."""
    found = re.search(r'<input type="hidden" name="idempotency_key" value="([^"]+)"', html)
    assert found, "the form page carries no idempotency key"
    return found.group(1)


def use_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **abuse: str) -> None:
    """The default policy with these [abuse] settings (and an easy proof-of-work)."""
    text = DEFAULT_POLICY.read_text()
    for name, value in {"proof_of_work_difficulty": "8", **abuse}.items():
        text = re.sub(rf"^{name} = .*$", f"{name} = {value}", text, flags=re.M)
    (tmp_path / "policy.toml").write_text(text)
    monkeypatch.setenv("VDP_POLICY_PATH", str(tmp_path / "policy.toml"))
    bootstrap.reset()


def team_queue(url: str) -> list[str]:
    """Every message body on the team's queue (SNS envelopes), removed."""
    sqs, bodies = boto("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def notification(body: str) -> dict[str, Any]:
    return json.loads(json.loads(body)["Message"])
