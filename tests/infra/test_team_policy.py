"""The team's managed policy grants every AWS action the `vdp` CLI makes in a triage walk."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import ADVISORY_REPORT
from tests.infra.iam import IAM_ACTION, Template, as_list, recorded_actions
from vdp.cli.main import main

VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


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
