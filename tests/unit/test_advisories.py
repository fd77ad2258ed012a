"""Credits, advisory facts, disclosure and CSAF/OSV exports, against in-memory fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, NotFound, ValidationFailed
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.advisories import disclose, set_advisory
from chalicelib.usecases.team.exports import export
from chalicelib.usecases.team.triage import change_status
from tests.advisory_schemas import schema_errors
from tests.unit.fakes import fake_ports

REPORT: dict[str, Any] = {
    "title": "Stored XSS in the comment preview",
    "description": "A comment body with <svg onload=alert(1)> runs script in the preview.",
    "product": "example-app",
    "version": "2.3.0",
    "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "policy_accepted": True,
    "reporter": {"name": "Grace Hopper", "email": "grace@example.org"},
    "credit": {"wants_credit": True, "name": "grace_h"},
}
ANONYMOUS = {key: value for key, value in REPORT.items() if key not in ("reporter", "credit")}
DECLINED = {**REPORT, "reporter": {"name": "Ada"}, "credit": {"wants_credit": False, "name": "ada"}}
CEST = timezone(timedelta(hours=2))


def fixed_report(ports: Ports, fields: dict[str, Any]) -> str:
    report_id = submit_report(fields, ports, base_url="https://vdp.example.com").report_id
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(ports, "alice", report_id, status)
    return report_id


def test_credit_choice_is_decrypted_and_publishing_lists_the_chosen_name() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)

    before = credits.credit_choice(ports, report_id, "alice")
    published = credits.publish(ports, report_id, "alice")

    assert before.name == "grace_h" and before.refusal is None and before.published_on is None
    assert published.published_on == ports.clock().date()
    assert [c.name for c in credits.public_credits(ports)] == ["grace_h"]
    assert b"grace_h" in ports.blobs.objects[credits.PUBLIC_KEY]
    assert "grace" not in ports.reports.records[report_id].model_dump_json().lower()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [(ANONYMOUS, "anonymous"), (DECLINED, "did not ask for credit")],
)
def test_anonymous_or_declined_reporters_can_never_be_published(
    fields: dict[str, Any], reason: str
) -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, fields)

    with pytest.raises(ValidationFailed, match=reason):
        credits.publish(ports, report_id, "alice")

    assert ports.reports.records[report_id].credit_published_at is None
    assert credits.published_credits(ports) == []


def test_a_name_stored_before_names_were_checked_is_never_published() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    forged = {**REPORT, "credit": {"wants_credit": True, "name": "x\u202etxt.exe\nVDP-1"}}
    key = parts.report_key(report_id)
    ports.blobs.objects.pop(key)  # the report as an older intake would have stored it
    parts.store(ports, report_id, parts.REPORT, key, json.dumps(forged).encode())

    with pytest.raises(ValidationFailed, match="text-direction characters; ask the reporter"):
        credits.publish(ports, report_id, "alice")

    assert ports.reports.records[report_id].credit_published_at is None
    assert credits.public_credits(ports) == []


def test_a_name_published_before_names_were_checked_is_never_shown_again() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    credits.publish(ports, report_id, "alice")
    key = parts.credit_key(report_id)
    ports.blobs.objects.pop(key)  # the sealed name as an older version would have kept it
    parts.store(ports, report_id, parts.CREDIT, key, "x\u202etxt.exe".encode())

    rebuilt = credits.rebuild_public(ports)
    advisory = export(ports, report_id, "osv")

    assert rebuilt == [] and credits.public_credits(ports) == []
    assert "credits" not in advisory and "\u202e" not in json.dumps(advisory)


def test_unpublish_takes_the_name_off_the_public_list() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    credits.publish(ports, report_id, "alice")

    credits.unpublish(ports, report_id, "alice")

    assert credits.public_credits(ports) == []


def test_credit_renderings_escape_the_name() -> None:
    found = [credits.PublishedCredit(name="<b>*x*</b>", date=datetime(2026, 1, 2).date())]

    page = credits.render(found, "html", "Example Corp")
    markdown = credits.render(found, "md", "Example Corp")

    assert "&lt;b&gt;*x*&lt;/b&gt;" in page and "<b>" not in page
    assert r"\<b\>\*x\*\</b\>" in markdown
    assert json.loads(credits.render(found, "json", "x")) == [
        {"name": "<b>*x*</b>", "date": "2026-01-02"}
    ]


def test_disclosure_needs_an_explicit_time_zone_and_keeps_it() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)

    with pytest.raises(ValidationFailed, match="time zone"):
        disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0))
    record = disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0, tzinfo=CEST))

    stored = ports.reports.records[report_id]
    assert record.status == stored.status == "disclosed"
    assert stored.disclosed_at == datetime(2026, 12, 1, 10, 0, tzinfo=CEST)
    assert stored.disclosed_at.utcoffset() == timedelta(hours=2)
    assert [e.status for e in ports.reports.events(report_id) if e.kind == "status"][-1] == (
        "disclosed"
    )


def test_disclosure_goes_through_the_lifecycle() -> None:
    ports = fake_ports()
    report_id = submit_report(REPORT, ports, base_url="https://x").report_id

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
    report_id = fixed_report(ports, REPORT)

    with pytest.raises(ValidationFailed) as caught:
        set_advisory(ports, "alice", report_id, **options)

    assert caught.value.fields[0].field == field


def advisory_ready(fields: dict[str, Any], *, publish: bool) -> tuple[Ports, str]:
    ports = fake_ports()
    report_id = fixed_report(ports, fields)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", affected=">=2.0", fixed_in="2.4.2")
    if publish:
        credits.publish(ports, report_id, "alice")
    disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0, tzinfo=CEST))
    return ports, report_id


def test_csaf_export_passes_the_csaf_2_0_schema_with_all_facts() -> None:
    ports, report_id = advisory_ready(REPORT, publish=True)

    document = export(ports, report_id, "csaf")

    assert schema_errors(document, "csaf") == []
    vulnerability = document["vulnerabilities"][0]
    assert document["document"]["tracking"]["status"] == "final"
    assert document["document"]["tracking"]["initial_release_date"] == "2026-12-01T10:00:00+02:00"
    assert document["document"]["acknowledgments"] == [
        {"names": ["grace_h"], "summary": "reported this vulnerability"}
    ]
    assert vulnerability["cwe"]["id"] == "CWE-79"
    assert vulnerability["scores"][0]["cvss_v3"]["baseScore"] == 6.1
    assert vulnerability["product_status"] == {
        "known_affected": ["example-app-affected"],
        "fixed": ["example-app-2.4.2"],
    }
    assert "vers:generic/>=2.0|<2.4.2" in json.dumps(document["product_tree"])


def test_osv_export_passes_the_osv_schema_with_all_facts() -> None:
    ports, report_id = advisory_ready(REPORT, publish=True)

    document = export(ports, report_id, "osv")

    assert schema_errors(document, "osv") == []
    assert document["published"] == "2026-12-01T08:00:00Z"
    assert document["affected"][0]["ranges"][0]["events"] == [
        {"introduced": "2.0"},
        {"fixed": "2.4.2"},
    ]
    assert document["severity"] == [{"type": "CVSS_V3", "score": REPORT["cvss_vector"]}]
    assert document["credits"] == [{"name": "grace_h", "type": "FINDER"}]
    assert document["database_specific"] == {"cwe_ids": ["CWE-79"]}


@pytest.mark.parametrize("fmt", ["csaf", "osv"])
@pytest.mark.parametrize("fields", [ANONYMOUS, DECLINED, REPORT])
def test_exports_credit_nobody_without_a_published_consented_credit(
    fmt: str, fields: dict[str, Any]
) -> None:
    ports, report_id = advisory_ready(fields, publish=False)

    document = export(ports, report_id, fmt)

    assert schema_errors(document, fmt) == []
    text = json.dumps(document).lower()
    assert "grace" not in text and "ada" not in text
    assert "acknowledgments" not in document.get("document", {})
    assert "credits" not in document


def test_exports_before_disclosure_are_drafts_and_still_valid() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, {**REPORT, "cvss_vector": None})

    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")

    assert schema_errors(csaf, "csaf") == [] and schema_errors(osv, "osv") == []
    assert csaf["document"]["tracking"]["status"] == "draft"
    assert "published" not in osv and osv["affected"][0]["ranges"][0]["events"] == [
        {"introduced": "0"}
    ]


def test_an_invalid_document_is_reported_by_the_schemas() -> None:
    ports, report_id = advisory_ready(REPORT, publish=False)
    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")
    csaf["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE"
    osv["published"] = "2026-12-01T10:00:00+02:00"

    assert schema_errors(csaf, "csaf") and schema_errors(osv, "osv")


def test_a_cvss_4_vector_goes_to_osv_and_csaf_stays_valid_without_it() -> None:
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    ports, report_id = advisory_ready({**REPORT, "cvss_vector": vector}, publish=False)

    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")

    assert schema_errors(csaf, "csaf") == [] and "scores" not in csaf["vulnerabilities"][0]
    assert schema_errors(osv, "osv") == [] and osv["severity"] == [
        {"type": "CVSS_V4", "score": vector}
    ]


def test_every_credit_and_advisory_change_and_every_opened_report_leaves_an_event() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
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


def test_the_public_list_and_exports_never_open_a_report() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    credits.publish(ports, report_id, "bob")
    del ports.blobs.objects[parts.report_key(report_id)]  # were it read, this would fail

    rebuilt = credits.rebuild_public(ports)
    advisory = export(ports, report_id, "osv")

    assert [credit.name for credit in rebuilt] == ["grace_h"]
    assert "grace_h" in json.dumps(advisory)


def test_a_credit_published_without_its_sealed_name_is_sealed_when_published_again() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    credits.publish(ports, report_id, "bob")
    del ports.blobs.objects[parts.credit_key(report_id)]  # as published by an older release

    with pytest.raises(NotFound, match="publish it again"):
        credits.published_credits(ports)
    credits.publish(ports, report_id, "bob")

    assert [credit.name for credit in credits.published_credits(ports)] == ["grace_h"]


def test_a_planted_credit_part_is_refused_not_published() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
    ports.blobs.objects[parts.credit_key(report_id)] = b"junk"

    with pytest.raises(Conflict, match="cannot be opened"):
        credits.publish(ports, report_id, "bob")

    assert ports.reports.get(report_id).credit_published_at is None


def test_an_advisory_without_facts_shows_them_and_writes_nothing() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, REPORT)
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
    report_id = fixed_report(ports, REPORT)

    with pytest.raises(ValidationFailed, match="date is before the report was received"):
        disclose(ports, "alice", report_id, datetime(2026, 11, 1, tzinfo=UTC))

    assert ports.reports.records[report_id].status == "fixed"
