"""Advisory facts and disclosure, and the audit trail of the team's advisory work,
against in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team import credits, embargo
from chalicelib.usecases.team.advisories import disclose, set_advisory
from chalicelib.usecases.team.exports import export
from tests.builders import (
    ADVISORY_REPORT,
    fixed_report,
)
from tests.unit.fakes import fake_ports

CEST = timezone(timedelta(hours=2))


def test_disclosure_needs_an_explicit_time_zone_and_keeps_it() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)

    with pytest.raises(ValidationFailed, match="time zone"):
        disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0))
    record = disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0, tzinfo=CEST))
    embargo.publish_due(replace(ports, clock=lambda: datetime(2026, 12, 2, tzinfo=UTC)))

    stored = ports.reports.records[report_id]
    assert (record.status, stored.status) == ("fixed", "disclosed")  # planned, then published
    assert stored.disclosed_at == datetime(2026, 12, 1, 10, 0, tzinfo=CEST)
    assert stored.disclosed_at.utcoffset() == timedelta(hours=2)
    assert [e.status for e in ports.reports.events(report_id) if e.kind == "status"][-1] == (
        "disclosed"
    )


def test_disclosure_goes_through_the_lifecycle() -> None:
    ports = fake_ports()
    report_id = submit_report(ADVISORY_REPORT, ports, base_url="https://x").report_id

    with pytest.raises(Conflict, match="cannot move from received to disclosed"):
        disclose(ports, "alice", report_id, datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"cwe": "XSS"}, "cwe"),
        ({"cwe": "CWE-99999"}, "cwe_name"),
        ({"affected": "==2.*"}, "affected"),
        ({"affected": ">=2.0,<2.4.2", "fixed_in": "2.5"}, "affected"),
        ({"affected": ">=3.0", "fixed_in": "2.4.2"}, "fixed_in"),
        ({"fixed_in": "two"}, "fixed_in"),
    ],
)
def test_advisory_facts_are_checked(options: dict[str, str], field: str) -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)

    with pytest.raises(ValidationFailed) as caught:
        set_advisory(ports, "alice", report_id, **options)

    assert caught.value.fields[0].field == field


def test_every_credit_and_advisory_change_and_every_opened_report_leaves_an_event() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    before = len(ports.reports.events(report_id))

    credits.credit_choice(ports, report_id, "ann")
    credits.publish(ports, report_id, "bob")
    set_advisory(ports, "ann", report_id, cwe="CWE-79", fixed_in="2.4.2")
    export(ports, report_id, "osv")  # reads the published name's own part, not the report
    credits.rebuild_public(ports)
    credits.unpublish(ports, report_id, "bob")

    events = ports.reports.events(report_id)[before:]
    assert [(e.kind, e.actor, e.detail) for e in events] == [
        ("decrypted", "ann", None),
        ("decrypted", "bob", None),
        ("credit", "bob", "published"),
        ("advisory", "ann", "cwe=CWE-79, fixed_in=2.4.2"),
        ("credit", "bob", "withdrawn"),
    ]
    assert not any(event.public for event in events)


def test_an_advisory_without_facts_shows_them_and_writes_nothing() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", fixed_in="2.4.2")
    before = ports.reports.records[report_id]
    events = len(ports.reports.events(report_id))

    shown = set_advisory(ports, "alice", report_id)
    with pytest.raises(ValidationFailed, match="--cwe-name names the CWE given with --cwe"):
        set_advisory(ports, "alice", report_id, cwe_name="Cross-site Scripting")

    assert shown == before and (shown.cwe, shown.fixed_in) == ("CWE-79", "2.4.2")
    assert ports.reports.records[report_id] == before
    assert len(ports.reports.events(report_id)) == events


def test_a_disclosure_cannot_predate_the_report() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)

    with pytest.raises(ValidationFailed, match="date is in the past"):
        disclose(ports, "alice", report_id, datetime(2026, 11, 1, tzinfo=UTC))

    assert ports.reports.records[report_id].status == "fixed"


@pytest.mark.parametrize(
    ("ids", "field", "problem"),
    [
        ({"cve_ids": ["CVE-26-1234"]}, "cve", "'CVE-26-1234' is no CVE id"),
        ({"cve_ids": ["CVE-2026-123"]}, "cve", "'CVE-2026-123' is no CVE id"),
        ({"cve_ids": ["GHSA-4v8m-x2qf-9wrj"]}, "cve", "is no CVE id"),
        (
            {"aliases": ["cve-2026-1234"]},
            "alias",
            "'cve-2026-1234' is a CVE id: give it with --cve",
        ),
        ({"aliases": ["GHSA"]}, "alias", "'GHSA' is no advisory id such as GHSA-xxxx-xxxx-xxxx"),
        ({"aliases": ["GHSA 4v8m"]}, "alias", "is no advisory id"),
        ({"aliases": ["GHSA-" + "x" * 60]}, "alias", "is no advisory id"),
    ],
)
def test_cve_ids_and_aliases_are_checked_and_nothing_is_saved_when_one_is_wrong(
    ids: dict[str, list[str]], field: str, problem: str
) -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    good = {"cve_ids": ["CVE-2026-1234"], "aliases": ["PYSEC-2026-17"]}

    with pytest.raises(ValidationFailed) as caught:
        set_advisory(ports, "alice", report_id, **{**good, **ids})

    assert caught.value.fields[0].field == field and problem in caught.value.message
    stored = ports.reports.records[report_id]
    assert (stored.cve_ids, stored.aliases) == ([], [])


def test_cve_ids_and_aliases_are_recorded_replaced_and_cleared_with_an_event_each() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    ghsa = "GHSA-4v8m-x2qf-9wrj"
    before = len(ports.reports.events(report_id))

    first = set_advisory(
        ports,
        "ann",
        report_id,
        cve_ids=[" cve-2026-1234 ", "CVE-2026-56789", "CVE-2026-1234"],
        aliases=[ghsa, "PYSEC-2026-17", "RHSA-2026:1234"],
    )
    replaced = set_advisory(ports, "ann", report_id, cve_ids=["CVE-2026-99999"])
    cleared = set_advisory(ports, "bob", report_id, aliases=[])

    assert (first.cve_ids, first.aliases) == (
        ["CVE-2026-1234", "CVE-2026-56789"],
        [ghsa, "PYSEC-2026-17", "RHSA-2026:1234"],
    )
    assert (replaced.cve_ids, replaced.aliases) == (["CVE-2026-99999"], first.aliases)
    assert ports.reports.records[report_id] == cleared
    assert (cleared.cve_ids, cleared.aliases) == (["CVE-2026-99999"], [])
    events = ports.reports.events(report_id)[before:]
    assert [(e.kind, e.actor, e.detail) for e in events] == [
        (
            "advisory",
            "ann",
            f"cve_ids=CVE-2026-1234 CVE-2026-56789, aliases={ghsa} PYSEC-2026-17 RHSA-2026:1234",
        ),
        ("advisory", "ann", "cve_ids=CVE-2026-99999"),
        ("advisory", "bob", "aliases=none"),
    ]
