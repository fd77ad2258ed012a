"""The team's managed policy grants every AWS action the `vdp` CLI makes in a triage walk."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.client import BaseClient
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import ADVISORY_REPORT
from tests.infra.iam import Template, as_list
from vdp.cli.main import main

# API operations whose IAM action has another name; None: no permission needed.
IAM_ACTION = {
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:ListObjectsV2": "s3:ListBucket",
    "sts:GetCallerIdentity": None,
}
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> set[str]:
    """IAM authorizes a DynamoDB transaction as the actions of its items."""
    if operation != "TransactWriteItems":
        return {f"{service}:{operation}"}
    item_action = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
    return {
        f"dynamodb:{item_action.get(kind, 'ConditionCheckItem')}"
        for item in params["TransactItems"]
        for kind in item
    }


def recorded_actions(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The IAM actions every AWS call made from now on needs (filled as calls are made)."""
    made: set[str] = set()
    call = BaseClient._make_api_call

    def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        made.update(iam_actions(self.meta.service_model.signing_name, operation, params))
        return call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return made


def team_walk(report_id: str, folder: str) -> list[tuple[str, ...]]:
    return [
        ("reports", "list"),
        ("reports", "show", report_id, "--attachments-dir", folder),
        ("reports", "ack", report_id, "--message", "Thanks, we are on it."),
        ("reports", "assign", report_id, "alice"),
        ("reports", "severity", report_id, VECTOR),
        ("reports", "note", report_id, "internal"),
        ("reports", "reply", report_id, "A question for you"),
        ("reports", "status", report_id, "triaged"),
        ("reports", "status", report_id, "accepted"),
        ("reports", "status", report_id, "fixed"),
        ("reports", "credit", report_id, "--publish"),
        ("reports", "advisory", report_id, "--cwe", "CWE-79", "--fixed-in", "2.4.2"),
        ("reports", "disclose", report_id),  # now
        ("reports", "export", report_id, "--format", "osv"),
        ("reports", "timeline", report_id),
        ("credits",),
        ("sla",),
        ("subscribe", "email", "team@example.org", "--severity", "critical"),
        ("subscribe", "email", "team@example.org"),  # its filter changed: every event
        ("subscriptions",),
        ("unsubscribe", "team@example.org"),
    ]


def test_every_call_of_the_team_walk_is_granted(
    aws: Any, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    report_id = submit_report(ADVISORY_REPORT, bootstrap.ports(), base_url="https://x").report_id
    made = recorded_actions(monkeypatch)
    for command in team_walk(report_id, str(tmp_path)):
        result = CliRunner().invoke(main, list(command))
        assert result.exit_code == 0, (command, result.output)

    cfn = Template(template)
    statements = cfn.resources["SecurityTeamPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    granted = {
        a.lower() for s in statements if s["Effect"] == "Allow" for a in as_list(s["Action"])
    }
    needed = {IAM_ACTION.get(op, op) for op in made} - {None}
    assert "sns:GetSubscriptionAttributes" in needed  # the walk reached `subscriptions`
    assert {action for action in needed if action.lower() not in granted} == set()
