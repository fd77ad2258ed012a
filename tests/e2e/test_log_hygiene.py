"""Log hygiene: every line the stack and the CLI write while a report is submitted, followed
up and triaged is checked for what was submitted, the receipt and the client address."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.conftest import start_stack, stop_stack
from tests.e2e.httpclient import post_json, request

pytestmark = pytest.mark.e2e

CLIENT = "127.0.0.7"
CANARIES = {
    "title": "Canary title 4b1f: SQL injection in the search API",
    "description": "Canary description 9e2c: the q parameter of /search is injectable.",
    "steps": "Canary steps 77d0: send q=' OR 1=1 --",
    "impact": "Canary impact 31aa: full read access to the orders table",
    "name": "Canary Reporter 5f5f",
    "email": "canary-5f5f@example.org",
    "credit": "canary-credit-5f5f",
    "file": "canary-file-ab12.txt",
    "file_body": "canary file body c0ffee",
    "message": "Canary follow-up 8d8d: it also works on /export",
    "reply": "Canary reply e3e3: thanks, confirmed",
    "note": "Canary note 1a1a: internal only",
    "part_header": "canary-part-header-7f7f",  # python-multipart logs a header it does not know
}


def test_no_submitted_content_receipt_or_address_reaches_any_log_line() -> None:
    stack = start_stack()
    try:
        report = {
            "title": CANARIES["title"],
            "description": CANARIES["description"],
            "steps_to_reproduce": CANARIES["steps"],
            "impact": CANARIES["impact"],
            "product": "example-app",
            "policy_accepted": True,
            "reporter": {"name": CANARIES["name"], "email": CANARIES["email"]},
            "credit": {"wants_credit": True, "name": CANARIES["credit"]},
            "attachments": [{"filename": CANARIES["file"],
                             "data": base64.b64encode(CANARIES["file_body"].encode()).decode()}],
        }  # fmt: skip
        accepted = post_json(f"{stack.api}/reports", report, source=CLIENT).json()
        auth = {"Authorization": f"Bearer {accepted['receipt']}"}
        invalid = post_json(
            f"{stack.api}/reports", {**report, "policy_accepted": False}, source=CLIENT
        )
        part = (
            '--b\r\nContent-Disposition: form-data; name="title"\r\n'
            f"Content-Transfer-Encoding: {CANARIES['part_header']}\r\n\r\nx\r\n--b--\r\n"
        )
        odd_part = request(
            "POST", f"{stack.api}/reports", part,
            {"Content-Type": "multipart/form-data; boundary=b"}, CLIENT,
        )  # fmt: skip
        message = {"message": CANARIES["message"]}
        followed = post_json(
            f"{stack.api}/reports/{accepted['report_id']}/messages", message, auth, CLIENT
        )
        request("GET", f"{stack.api}/reports/{accepted['report_id']}", headers=auth, source=CLIENT)
        request("GET", f"{stack.api}/reports/{accepted['report_id']}",
                headers={"Authorization": "Bearer wrong-receipt"}, source=CLIENT)  # fmt: skip
        report_id = accepted["report_id"]
        cli = [
            stack.cli("reports", "ack", report_id, "--message", CANARIES["reply"]),
            stack.cli("reports", "note", report_id, CANARIES["note"]),
            stack.cli("reports", "status", report_id, "triaged"),
            stack.cli("reports", "timeline", report_id),
        ]
        stack.wait_for_output(f"report.message_received {report_id}")
    finally:
        stop_stack(stack)

    assert invalid.status == 422 and followed.status == 201 and odd_part.status in (400, 422)
    assert all(result.returncode == 0 for result in cli), [r.stderr for r in cli]
    lines = stack.output + [line for r in cli for line in r.stderr.splitlines()]
    secrets = [*CANARIES.values(), accepted["receipt"], CLIENT]
    leaks = [(s, line) for line in lines for s in secrets if s in line]
    assert leaks == []
    request_lines = [json.loads(line) for line in stack.output if line.startswith("{")]
    requests = [entry for entry in request_lines if entry.get("message") == "request"]
    assert len(requests) >= 5
    assert all({"request_id", "route", "status", "latency_ms"} <= set(entry) for entry in requests)
    assert {"route": "/reports", "status": 201, "report_id": report_id}.items() <= next(
        entry for entry in requests if entry.get("status") == 201
    ).items()
