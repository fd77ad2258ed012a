"""The team's side over real HTTP and the CLI against `vdp serve`: one report's whole walk."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.httpclient import Answer, post_json, request

pytestmark = pytest.mark.e2e

REPORT = {
    "title": "Stored XSS in the invoice notes field",
    "description": "The notes field renders <script> unescaped; payload walk-canary-4411 fires.",
    "product": "example-app",
    "severity": "high",
    "policy_accepted": True,
    "attachments": [
        {
            "filename": "poc.html",
            "content_type": "text/html",
            "data": base64.b64encode(b"<script>alert(1)</script>").decode(),
        }
    ],
}
REPLY = "Thanks! We reproduced it and are working on a fix."
FOLLOW_UP = "Happy to test the fix when it is ready."
NOTE = "internal: same root cause as the markdown renderer bug"


def reporter_view(stack: Stack, accepted: dict[str, str]) -> Answer:
    return request(
        "GET",
        f"{stack.api}/reports/{accepted['report_id']}",
        headers={"Authorization": f"Bearer {accepted['receipt']}"},
    )


def cli_json(stack: Stack, *args: str) -> object:
    result = stack.cli(*args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_submit_ack_reply_follow_up_timeline_and_show(stack: Stack, tmp_path: Path) -> None:
    # Given a submitted report
    accepted = post_json(f"{stack.api}/reports", REPORT).json()
    report_id = accepted["report_id"]

    # When the team finds it and acknowledges it with a message
    listed = cli_json(stack, "reports", "list", "--status", "received")
    assert report_id in [row["report_id"] for row in listed]
    acked = stack.cli("reports", "ack", report_id, "--message", REPLY)
    assert acked.returncode == 0 and "acknowledged" in acked.stdout, acked.stderr

    # Then the reporter sees the new status and the reply
    view = reporter_view(stack, accepted).json()
    assert view["status"] == "acknowledged"
    assert [(h["type"], h.get("status"), h.get("message")) for h in view["history"]] == [
        ("status", "received", None),
        ("status", "acknowledged", None),
        ("reply", None, REPLY),
    ]

    # When the team replies again, the reporter follows up, and the team adds a note
    assert stack.cli("reports", "reply", report_id, "A fix ships next week.").returncode == 0
    follow_up = post_json(
        f"{stack.api}/reports/{report_id}/messages",
        {"message": FOLLOW_UP},
        {"Authorization": f"Bearer {accepted['receipt']}"},
    )
    assert follow_up.status == 201
    assert stack.cli("reports", "note", report_id, NOTE).returncode == 0

    # Then the reporter sees replies and their own message, never notes or actors
    view_text = reporter_view(stack, accepted).body.decode()
    history = json.loads(view_text)["history"]
    assert [h["type"] for h in history] == ["status", "status", "reply", "reply", "message"]
    assert history[-1].get("message") == FOLLOW_UP  # their own copy, opened by the receipt
    assert NOTE not in view_text and "arn:aws" not in view_text and "actor" not in view_text

    # And the timeline shows every event with its actor
    events = cli_json(stack, "reports", "timeline", report_id)
    assert [(e["kind"], e["status"]) for e in events] == [
        ("status", "received"),  # the submission opens it
        ("status", "acknowledged"),
        ("reply", None),
        ("reply", None),
        ("message", None),
        ("note", None),
    ]
    by_reporter = [e["kind"] for e in events if e["actor"] == "reporter"]
    assert by_reporter == ["status", "message"]
    assert all(e["actor"].startswith("arn:aws:") for e in events[1:] if e["kind"] != "message")

    # And `show` decrypts the report, the attachment and every message, leaving an audit event
    shown = cli_json(stack, "reports", "show", report_id, "--attachments-dir", str(tmp_path))
    assert shown["report"]["title"] == REPORT["title"]
    assert (tmp_path / "0-poc.html").read_bytes() == b"<script>alert(1)</script>"
    assert [(m["kind"], m["text"]) for m in shown["messages"]] == [
        ("reply", REPLY),
        ("reply", "A fix ships next week."),
        ("message", FOLLOW_UP),
        ("note", NOTE),
    ]
    audit = cli_json(stack, "reports", "timeline", report_id)[-1]
    assert audit["kind"] == "decrypted" and audit["actor"].startswith("arn:aws:")


def test_an_illegal_transition_is_refused_in_one_line_and_changes_nothing(stack: Stack) -> None:
    accepted = post_json(f"{stack.api}/reports", REPORT).json()
    report_id = accepted["report_id"]

    refused = stack.cli("reports", "status", report_id, "fixed", "--note", "too early")

    assert refused.returncode != 0
    assert "cannot move from received to fixed" in refused.stderr
    assert refused.stderr.strip().count("\n") == 0 and "Traceback" not in refused.stderr
    assert reporter_view(stack, accepted).json()["status"] == "received"
    [received] = cli_json(stack, "reports", "timeline", report_id)
    assert (received["status"], received["actor"]) == ("received", "reporter")


def test_severity_assign_status_and_overdue_list(stack: Stack) -> None:
    accepted = post_json(f"{stack.api}/reports", REPORT).json()
    report_id = accepted["report_id"]
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"

    scored = cli_json(stack, "reports", "severity", report_id, vector)
    assigned = stack.cli("reports", "assign", report_id, "ann@example.com")
    triaged = cli_json(stack, "reports", "status", report_id, "triaged", "--note", "valid")
    bad = stack.cli("reports", "severity", report_id, "CVSS:3.1/AV:X")
    mine = cli_json(stack, "reports", "list", "--product", "example-app", "--status", "triaged")

    assert (scored["cvss_score"], scored["cvss_rating"], scored["cvss_vector"]) == (
        6.1,
        "medium",
        vector,
    )
    assert scored["fix_by"] and assigned.returncode == 0
    assert triaged["status"] == "triaged" and triaged["assignee"] == "ann@example.com"
    assert bad.returncode != 0 and "CVSS" in bad.stderr and "Traceback" not in bad.stderr
    assert report_id in [row["report_id"] for row in mine]
    assert stack.cli("reports", "list", "--overdue").returncode == 0


def test_subscribe_and_list_subscriptions(stack: Stack) -> None:
    sqs = stack.client("sqs")
    url = sqs.create_queue(QueueName="walk-critical")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    created = stack.cli("subscribe", "sqs", arn, "--severity", "critical", "--json")
    listed = cli_json(stack, "subscriptions")
    wrong = stack.cli("subscribe", "sqs", arn, "--severity", "urgent")
    swept = stack.cli("sla")

    assert created.returncode == 0, created.stderr
    assert {"endpoint": arn, "filter_policy": {"severity": ["critical"]}}.items() <= next(
        s for s in listed if s["endpoint"] == arn
    ).items()
    assert wrong.returncode != 0 and "unknown severity urgent" in wrong.stderr
    assert swept.returncode == 0, swept.stderr
