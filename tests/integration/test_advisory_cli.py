"""`vdp reports credit|advisory|disclose|export` and `vdp credits` against moto."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.triage import change_status
from tests.advisory_schemas import schema_errors
from tests.builders import ADVISORY_REPORT, ANONYMOUS_ADVISORY_REPORT
from vdp.cli.main import main

CET = timezone(timedelta(hours=1))
TOMORROW_CET = (datetime.now(UTC) + timedelta(days=1)).astimezone(CET).replace(microsecond=0)


def fixed(fields: dict[str, Any]) -> str:
    report_id = submit_report(fields, bootstrap.ports(), base_url="https://x").report_id
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(bootstrap.ports(), "alice", report_id, status)
    return report_id


def vdp(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_the_advisory_flow_from_credit_to_exports(aws: Any) -> None:
    report_id = fixed(ADVISORY_REPORT)

    shown = vdp("reports", "credit", report_id, "--json")
    published = vdp("reports", "credit", report_id, "--publish")
    facts = vdp("reports", "advisory", report_id, "--cwe", "CWE-79", "--fixed-in", "2.4.2")
    when = TOMORROW_CET.isoformat()  # a planned date; never one before the report arrived
    naive = vdp("reports", "disclose", report_id, "--date", when[:19])
    early = vdp("reports", "disclose", report_id, "--date", "2020-01-01T10:00:00+01:00")
    disclosed = vdp("reports", "disclose", report_id, "--date", when, "--json")
    csaf = vdp("reports", "export", report_id, "--format", "csaf")
    osv = vdp("reports", "export", report_id, "--format", "osv")
    page = vdp("credits", "--format", "md")

    assert json.loads(shown.output)["name"] == "grace_h" and shown.exit_code == 0
    assert published.exit_code == 0 and "published_on" in published.output
    assert facts.exit_code == 0 and "Cross-site Scripting" in facts.output
    assert naive.exit_code == 1 and "time zone" in naive.output
    assert disclosed.exit_code == 0, disclosed.output
    assert early.exit_code == 1 and "before the report was received" in early.output
    assert json.loads(disclosed.output)["disclosed_at"] == when
    assert schema_errors(json.loads(csaf.output), "csaf") == []
    assert schema_errors(json.loads(osv.output), "osv") == []
    assert json.loads(osv.output)["credits"] == [{"name": "grace_h", "type": "FINDER"}]
    assert "- grace\\_h (" in page.output


def test_publishing_an_anonymous_credit_is_refused_in_one_line(aws: Any) -> None:
    report_id = fixed(ANONYMOUS_ADVISORY_REPORT)

    refused = vdp("reports", "credit", report_id, "--publish")

    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [
        f"Error: {report_id}: the reporter is anonymous; anonymous reports are never credited"
    ]
    assert "Traceback" not in refused.output
