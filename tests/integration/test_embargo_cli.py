"""`vdp reports disclose --date`, `vdp reports embargo` and `vdp embargoes` against moto:
plan, show, move and cancel a disclosure, in lines and as JSON, one-line refusals, and
the list of plans with the due ones published on demand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.team import embargo
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    DECLINED_ADVISORY_REPORT,
    fixed_report,
)
from vdp.cli.main import main

CET = timezone(timedelta(hours=1))


def vdp(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def ahead(days: int) -> str:
    return (
        (datetime.now(UTC) + timedelta(days=days))
        .astimezone(CET)
        .replace(microsecond=0)
        .isoformat()
    )


def lines(output: str) -> dict[str, str]:
    return {line[:14].strip(): line[14:] for line in output.splitlines()}


def test_a_disclosure_is_planned_shown_moved_and_cancelled(aws: Any) -> None:
    report_id = fixed_report(bootstrap.ports(), ADVISORY_REPORT)
    first, second = ahead(14), ahead(21)

    none = vdp("reports", "embargo", report_id)
    planned = vdp("reports", "disclose", report_id, "--date", first)
    shown = vdp("reports", "embargo", report_id, "--json")
    moved = vdp("reports", "embargo", report_id, "--date", second)
    cancelled = vdp("reports", "embargo", report_id, "--cancel")
    again = vdp("reports", "embargo", report_id, "--cancel")

    assert lines(none.output)["planned"] == "-"
    assert lines(planned.output) == {
        "report_id": f"{report_id} [fixed]",
        "planned": first,
        "disclosed_at": "-",
        "credit": "published with the disclosure",
    }
    record = json.loads(shown.output)
    assert (record["disclosure_planned"], record["status"], record["credit_at_disclosure"]) == (
        first,
        "fixed",
        True,
    )
    assert lines(moved.output)["planned"] == second
    assert lines(cancelled.output)["planned"] == "-"
    assert (
        json.loads(vdp("reports", "embargo", report_id, "--json").output)["credit_at_disclosure"]
        is False
    )
    assert again.exit_code == 1
    assert again.output.splitlines() == [f"Error: {report_id} has no planned disclosure to cancel"]
    timeline = json.loads(vdp("reports", "timeline", report_id, "--json").output)
    embargoes = [(e["kind"], e["detail"]) for e in timeline if e["kind"].startswith("embargo")]
    assert embargoes == [
        ("embargo_scheduled", first),
        ("embargo_moved", second),
        ("embargo_cancelled", second),
    ]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        (
            ANONYMOUS_ADVISORY_REPORT,
            "the reporter is anonymous; anonymous reports are never credited",
        ),
        (DECLINED_ADVISORY_REPORT, "the reporter did not ask for credit"),
    ],
)
def test_a_credit_that_cannot_be_published_is_said_so_with_the_reason(
    aws: Any, fields: dict[str, Any], why: str
) -> None:
    report_id = fixed_report(bootstrap.ports(), fields)

    planned = vdp("reports", "disclose", report_id, "--date", ahead(14))
    shown = vdp("reports", "embargo", report_id)

    assert lines(planned.output)["credit"] == f"not published with the disclosure: {why}"
    assert lines(shown.output)["credit"] == (
        f"not published with the disclosure: vdp reports credit {report_id} shows why"
    )


def test_a_past_or_far_date_and_both_options_are_refused_in_one_line(aws: Any) -> None:
    report_id = fixed_report(bootstrap.ports(), ADVISORY_REPORT)

    past = vdp("reports", "embargo", report_id, "--date", "2026-01-01T09:00:00+01:00")
    far = vdp("reports", "disclose", report_id, "--date", ahead(400))
    both = vdp("reports", "embargo", report_id, "--date", ahead(3), "--cancel")

    assert past.exit_code == far.exit_code == 1
    assert past.output.splitlines() == [
        "Error: date is in the past: leave --date out to disclose now"
    ]
    assert far.output.splitlines() == [
        "Error: date is more than 365 days ahead: plan a nearer date"
    ]
    assert both.exit_code == 2 and "--date and --cancel exclude each other" in both.output
    assert lines(vdp("reports", "embargo", report_id).output)["planned"] == "-"


def test_a_date_held_while_the_fix_is_redone_says_so(aws: Any) -> None:
    report_id = fixed_report(bootstrap.ports(), ADVISORY_REPORT)
    when = ahead(14)
    vdp("reports", "disclose", report_id, "--date", when)

    vdp("reports", "status", report_id, "fixing")
    held = vdp("reports", "embargo", report_id)

    assert lines(held.output)["planned"] == (
        f"{when} (held while fixing: published once fixed again)"
    )


def test_embargoes_lists_the_plans_and_publishes_what_is_due(aws: Any) -> None:
    later, due = (fixed_report(bootstrap.ports(), ADVISORY_REPORT) for _ in range(2))
    now = datetime.now(UTC).replace(microsecond=0)
    vdp("reports", "disclose", later, "--date", ahead(10))
    yesterday = replace(bootstrap.ports(), clock=lambda: now - timedelta(days=1))
    embargo.plan(yesterday, "alice", due, now - timedelta(hours=2))  # the date has passed

    listed = vdp("embargoes", "--json")
    published = vdp("embargoes", "--publish", "--json")
    again = vdp("embargoes", "--publish")

    assert [row["report_id"] for row in json.loads(listed.output)] == [due, later]
    assert json.loads(published.output) == [{"report_id": due}]
    assert again.output.splitlines() == ["nothing was due"]
    assert [row["report_id"] for row in json.loads(vdp("embargoes", "--json").output)] == [later]
