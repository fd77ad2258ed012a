"""CSAF 2.0 and OSV exports of an advisory, checked against the formats' schemas."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import credits, embargo
from chalicelib.usecases.team.advisories import disclose, set_advisory
from chalicelib.usecases.team.exports import export
from tests.advisory_schemas import schema_errors
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    DECLINED_ADVISORY_REPORT,
    fixed_report,
)
from tests.unit.fakes import fake_ports

CEST = timezone(timedelta(hours=2))


def advisory_ready(fields: dict[str, Any], *, publish: bool) -> tuple[Ports, str]:
    ports = fake_ports()
    report_id = fixed_report(ports, fields)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", affected=">=2.0", fixed_in="2.4.2")
    if publish:
        credits.publish(ports, report_id, "alice")
    disclose(ports, "alice", report_id, datetime(2026, 12, 1, 10, 0, tzinfo=CEST))  # planned
    embargo.publish_due(replace(ports, clock=lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    return ports, report_id


def test_csaf_export_passes_the_csaf_2_0_schema_with_all_facts() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=True)

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
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=True)

    document = export(ports, report_id, "osv")

    assert schema_errors(document, "osv") == []
    assert document["published"] == "2026-12-01T08:00:00Z"
    assert document["affected"][0]["ranges"][0]["events"] == [
        {"introduced": "2.0"},
        {"fixed": "2.4.2"},
    ]
    assert document["severity"] == [{"type": "CVSS_V3", "score": ADVISORY_REPORT["cvss_vector"]}]
    assert document["credits"] == [{"name": "grace_h", "type": "FINDER"}]
    assert document["database_specific"] == {"cwe_ids": ["CWE-79"]}


@pytest.mark.parametrize("fmt", ["csaf", "osv"])
@pytest.mark.parametrize(
    "fields", [ANONYMOUS_ADVISORY_REPORT, DECLINED_ADVISORY_REPORT, ADVISORY_REPORT]
)
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
    report_id = fixed_report(ports, {**ADVISORY_REPORT, "cvss_vector": None})

    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")

    assert schema_errors(csaf, "csaf") == [] and schema_errors(osv, "osv") == []
    assert csaf["document"]["tracking"]["status"] == "draft"
    assert "published" not in osv and osv["affected"][0]["ranges"][0]["events"] == [
        {"introduced": "0"}
    ]


def test_an_invalid_document_is_reported_by_the_schemas() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=False)
    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")
    csaf["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "SEVERE"
    osv["published"] = "2026-12-01T10:00:00+02:00"

    assert schema_errors(csaf, "csaf") and schema_errors(osv, "osv")


def test_a_cvss_4_vector_goes_to_osv_and_csaf_stays_valid_without_it() -> None:
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    ports, report_id = advisory_ready({**ADVISORY_REPORT, "cvss_vector": vector}, publish=False)

    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")

    assert schema_errors(csaf, "csaf") == [] and "scores" not in csaf["vulnerabilities"][0]
    assert schema_errors(osv, "osv") == [] and osv["severity"] == [
        {"type": "CVSS_V4", "score": vector}
    ]
