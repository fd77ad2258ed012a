"""`vdp reports credit|advisory|disclose|export` and `vdp credits` against moto."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import change_status
from tests.advisory_schemas import bsi_validation, schema_errors
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
    when = TOMORROW_CET.isoformat()  # a planned date: an embargo until then
    naive = vdp("reports", "disclose", report_id, "--date", when[:19])
    early = vdp("reports", "disclose", report_id, "--date", "2020-01-01T10:00:00+01:00")
    planned = vdp("reports", "disclose", report_id, "--date", when, "--json")
    disclosed = vdp("reports", "disclose", report_id, "--json")  # now, ahead of the plan
    csaf = vdp("reports", "export", report_id, "--format", "csaf")
    osv = vdp("reports", "export", report_id, "--format", "osv")
    page = vdp("credits", "--format", "md")

    assert json.loads(shown.output)["name"] == "grace_h" and shown.exit_code == 0
    assert published.exit_code == 0 and "published_on" in published.output
    assert facts.exit_code == 0 and "Cross-site Scripting" in facts.output
    assert naive.exit_code == 1 and "time zone" in naive.output
    assert planned.exit_code == disclosed.exit_code == 0, planned.output + disclosed.output
    assert early.exit_code == 1 and "date is in the past" in early.output
    assert json.loads(planned.output)["disclosure_planned"] == when
    assert json.loads(planned.output)["status"] == "fixed"
    assert json.loads(disclosed.output)["disclosure_planned"] is None
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


def test_status_disclosed_discloses_now_as_disclose_does_without_a_date(aws: Any) -> None:
    by_status, by_disclose = fixed(ADVISORY_REPORT), fixed(ADVISORY_REPORT)
    before = datetime.now(UTC)

    moved = vdp("reports", "status", by_status, "disclosed", "--note", "Advisory out.", "--json")
    disclosed = vdp("reports", "disclose", by_disclose, "--json")

    after = datetime.now(UTC)
    assert moved.exit_code == disclosed.exit_code == 0, moved.output + disclosed.output
    for result in (moved, disclosed):
        record = json.loads(result.output)
        assert record["status"] == "disclosed"
        assert before <= datetime.fromisoformat(record["disclosed_at"]) <= after
    notes = [m.text for m in show_report(bootstrap.ports(), by_status).messages]
    assert notes == ["Advisory out."]


def test_status_disclosed_and_disclose_refuse_an_unfixed_report_alike(aws: Any) -> None:
    report_id = submit_report(ADVISORY_REPORT, bootstrap.ports(), base_url="https://x").report_id

    moved = vdp("reports", "status", report_id, "disclosed")
    disclosed = vdp("reports", "disclose", report_id)

    assert moved.exit_code == disclosed.exit_code == 1
    assert moved.output == disclosed.output
    assert "cannot move from received to disclosed" in moved.output


def test_the_affected_range_keeps_the_order_the_team_wrote(aws: Any) -> None:
    lower_first, upper_first = fixed(ADVISORY_REPORT), fixed(ADVISORY_REPORT)

    written = vdp("reports", "advisory", lower_first, "--affected", ">= 2.0, <2.4.2")
    other = vdp("reports", "advisory", upper_first, "--affected", "<2.4.2,>=2.0", "--json")
    refused = vdp("reports", "advisory", lower_first, "--affected", ">=2.0,>=2.1")
    stored = json.loads(vdp("reports", "advisory", lower_first, "--json").output)

    assert "affected      >=2.0,<2.4.2" in written.output.splitlines()
    assert stored["affected"] == ">=2.0,<2.4.2"
    assert json.loads(other.output)["affected"] == "<2.4.2,>=2.0"
    assert refused.exit_code == 1 and "at most one lower" in refused.output
    timeline = json.loads(vdp("reports", "timeline", lower_first, "--json").output)
    assert "affected=>=2.0,<2.4.2" in [event["detail"] for event in timeline]


def line_of(name: str, output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(name))


def test_the_disclosure_date_prints_as_every_other_time_does(aws: Any) -> None:
    in_utc, in_cet, by_status = (fixed(ADVISORY_REPORT) for _ in range(3))
    tomorrow = TOMORROW_CET.astimezone(UTC).isoformat().replace("+00:00", "Z")

    utc = vdp("reports", "disclose", in_utc, "--date", tomorrow)
    cet = vdp("reports", "disclose", in_cet, "--date", TOMORROW_CET.isoformat())
    moved = vdp("reports", "status", by_status, "disclosed")

    assert line_of("planned", utc.output).split()[1] == tomorrow
    assert line_of("planned", cet.output).split()[1] == TOMORROW_CET.isoformat()
    stored = json.loads(vdp("reports", "advisory", by_status, "--json").output)
    created = json.loads(vdp("reports", "list", "--json").output)[0]["created_at"]
    assert stored["disclosed_at"].endswith("Z") and created.endswith("Z")
    assert f"now disclosed, on {stored['disclosed_at']}" in moved.output


def test_a_date_that_is_no_date_is_one_line_like_a_date_without_a_zone(aws: Any) -> None:
    report_id = fixed(ADVISORY_REPORT)

    garbled = vdp("reports", "disclose", report_id, "--date", "tomorrow")
    naive = vdp("reports", "disclose", report_id, "--date", "2026-12-24")

    assert garbled.exit_code == naive.exit_code == 1
    assert garbled.output.splitlines() == [
        "Error: date must be ISO 8601 with a time zone, e.g. 2026-12-01T10:00:00+01:00 or ...Z"
    ]
    assert naive.output.splitlines() == [
        "Error: date needs a time zone: an offset such as +01:00, or Z for UTC"
    ]


GHSA = "GHSA-4v8m-x2qf-9wrj"


def test_cve_ids_and_aliases_round_trip_and_reach_both_exports_which_validate(aws: Any) -> None:
    report_id = fixed(ADVISORY_REPORT)
    facts = ("--cwe", "CWE-79", "--affected", ">=2.0", "--fixed-in", "2.4.2")
    ids = ("--cve", "CVE-2026-1234", "--cve", "cve-2026-56789", "--alias", GHSA)

    recorded = vdp("reports", "advisory", report_id, *facts, *ids)
    stored = json.loads(vdp("reports", "advisory", report_id, "--json").output)
    disclosed = vdp("reports", "disclose", report_id)
    csaf = json.loads(vdp("reports", "export", report_id, "--format", "csaf").output)
    osv = json.loads(vdp("reports", "export", report_id, "--format", "osv").output)
    cleared = vdp("reports", "advisory", report_id, "--no-cve", "--no-alias", "--json")

    assert recorded.exit_code == 0 and disclosed.exit_code == 0, recorded.output + disclosed.output
    lines = recorded.output.splitlines()
    assert "cve_ids       CVE-2026-1234 CVE-2026-56789" in lines
    assert f"aliases       {GHSA}" in lines
    assert (stored["cve_ids"], stored["aliases"]) == (["CVE-2026-1234", "CVE-2026-56789"], [GHSA])
    assert schema_errors(csaf, "csaf") == [] and schema_errors(osv, "osv") == []
    (checked,) = bsi_validation([csaf])
    assert checked["isValid"] and not [f for f in checked["findings"] if f["group"] == "optional"]
    assert [item["cve"] for item in csaf["vulnerabilities"]] == stored["cve_ids"]
    assert len(csaf["product_tree"]["branches"][0]["branches"][0]["branches"]) == 2
    assert osv["id"] == f"x_EXAMPLE-{report_id}"
    assert osv["aliases"] == ["CVE-2026-1234", "CVE-2026-56789", GHSA]
    assert osv["affected"][0]["package"]["ecosystem"] == "PyPI"
    assert (json.loads(cleared.output)["cve_ids"], json.loads(cleared.output)["aliases"]) == (
        [],
        [],
    )


def test_a_wrong_id_is_one_line_and_an_id_with_its_clearing_option_a_usage_error(aws: Any) -> None:
    report_id = fixed(ADVISORY_REPORT)

    wrong = vdp("reports", "advisory", report_id, "--cve", "CVE-26-1")
    cve_alias = vdp("reports", "advisory", report_id, "--alias", "CVE-2026-1234")
    both = vdp("reports", "advisory", report_id, "--cve", "CVE-2026-1234", "--no-cve")

    assert wrong.exit_code == cve_alias.exit_code == 1
    assert wrong.output.splitlines() == [
        "Error: cve 'CVE-26-1' is no CVE id: CVE-<year>-<4 or more digits>"
    ]
    assert cve_alias.output.splitlines() == [
        "Error: alias 'CVE-2026-1234' is a CVE id: give it with --cve"
    ]
    assert both.exit_code == 2 and "--cve and --no-cve exclude each other" in both.output
    assert json.loads(vdp("reports", "advisory", report_id, "--json").output)["cve_ids"] == []


def test_a_report_on_no_product_of_the_policy_gets_csaf_but_osv_is_refused_in_one_line(
    aws: Any,
) -> None:
    report_id = fixed({**ADVISORY_REPORT, "product": "other"})

    osv = vdp("reports", "export", report_id, "--format", "osv")
    csaf = vdp("reports", "export", report_id, "--format", "csaf")

    assert osv.exit_code == 1
    assert osv.output.splitlines() == [
        "Error: product 'other' names no OSV package: give it osv_ecosystem and osv_package "
        "in policy.toml (CSAF export needs neither)"
    ]
    assert csaf.exit_code == 0 and schema_errors(json.loads(csaf.output), "csaf") == []
