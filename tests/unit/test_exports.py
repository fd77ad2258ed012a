"""CSAF 2.0 and OSV exports of an advisory, checked against the formats' schemas."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.policy.document import Policy
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team.exports import export
from tests.advisory_schemas import schema_errors
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    CVES,
    DECLINED_ADVISORY_REPORT,
    GHSA,
    advisory_ready,
    fixed_report,
)
from tests.unit.fakes import fake_ports


def with_policy(ports: Ports, **changes: Any) -> Ports:
    """The same ports under the example policy with some sections changed."""
    return dataclasses.replace(ports, policy=ports.policy.model_copy(update=changes))


def without_osv_package(policy: Policy, product_id: str) -> list[Any]:
    return [
        product.model_copy(update={"osv_ecosystem": "", "osv_package": ""})
        if product.id == product_id
        else product
        for product in policy.products
    ]


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
    assert document["document"]["distribution"] == {"tlp": {"label": "WHITE"}}
    assert document["document"]["references"][0] == {
        "category": "self",
        "summary": "This advisory",
        "url": f"https://www.example.com/.well-known/csaf/white/2026/{report_id.lower()}.json",
    }
    assert vulnerability["remediations"][0]["category"] == "vendor_fix"
    assert "cve" not in vulnerability and "ids" not in vulnerability


def test_osv_export_passes_the_osv_schema_with_all_facts() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=True)

    document = export(ports, report_id, "osv")

    assert schema_errors(document, "osv") == []
    assert document["id"] == f"x_EXAMPLE-{report_id}"
    assert document["schema_version"] == "1.7.5"
    assert document["affected"][0]["package"] == {
        "ecosystem": "PyPI",
        "name": "example-app",
        "purl": "pkg:pypi/example-app",
    }
    assert "aliases" not in document
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
    assert csaf["document"]["distribution"] == {"tlp": {"label": "AMBER"}}
    assert [r["category"] for r in csaf["document"]["references"]] == ["external"]
    assert csaf["vulnerabilities"][0]["remediations"][0]["category"] == "none_available"
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


def test_cve_ids_and_an_alias_reach_both_formats_one_csaf_item_per_cve() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=False, cve_ids=CVES, aliases=[GHSA])

    csaf = export(ports, report_id, "csaf")
    osv = export(ports, report_id, "osv")

    assert schema_errors(csaf, "csaf") == [] and schema_errors(osv, "osv") == []
    items = csaf["vulnerabilities"]
    assert [item["cve"] for item in items] == CVES
    for item in items:
        assert item["ids"] == [{"system_name": "GitHub Security Advisory", "text": GHSA}]
        assert item["product_status"] == items[0]["product_status"]
    assert osv["aliases"] == [*CVES, GHSA]
    assert "CVE-2026-1234" not in json.dumps(csaf["product_tree"])


def test_the_published_osv_schema_takes_a_local_prefix_and_refuses_an_unassigned_one() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=True, cve_ids=CVES[:1])

    osv = export(ports, report_id, "osv")
    unassigned = {**osv, "id": f"EXAMPLE-{report_id}"}

    assert osv["id"] == f"x_EXAMPLE-{report_id}" and schema_errors(osv, "osv") == []
    errors = schema_errors(unassigned, "osv")
    assert len(errors) == 1 and errors[0].startswith(f"id: 'EXAMPLE-{report_id}' does not match")
    assert schema_errors(unassigned, "osv", osv_prefixes=("EXAMPLE",)) == []


def test_an_osv_ecosystem_outside_the_schemas_list_fails_the_schema() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=False)
    osv = export(ports, report_id, "osv")
    osv["affected"][0]["package"]["ecosystem"] = "Example Corp"

    assert [e.split(":")[0] for e in schema_errors(osv, "osv")] == ["affected/0/package/ecosystem"]


def test_a_product_without_an_osv_package_is_refused_for_osv_in_one_line() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=False)
    bare = with_policy(ports, products=without_osv_package(ports.policy, "example-app"))

    with pytest.raises(ValidationFailed) as refused:
        export(bare, report_id, "osv")
    csaf = export(bare, report_id, "csaf")

    assert refused.value.message == (
        "product 'example-app' names no OSV package: give it osv_ecosystem and osv_package "
        "in policy.toml (CSAF export needs neither)"
    )
    assert schema_errors(csaf, "csaf") == []
    assert "purl" not in json.dumps(csaf) and "cpe:2.3:a:example_corp:example-app:" in json.dumps(
        csaf
    )


def test_osv_export_needs_the_organisations_prefix() -> None:
    ports, report_id = advisory_ready(ADVISORY_REPORT, publish=False)
    unset = with_policy(
        ports, advisories=ports.policy.advisories.model_copy(update={"osv_prefix": ""})
    )

    with pytest.raises(ValidationFailed, match=r"set \[advisories\] osv_prefix in policy.toml"):
        export(unset, report_id, "osv")


def test_a_report_on_another_product_gets_csaf_but_no_osv() -> None:
    ports, report_id = advisory_ready({**ADVISORY_REPORT, "product": "other"}, publish=False)

    csaf = export(ports, report_id, "csaf")

    assert schema_errors(csaf, "csaf") == []
    with pytest.raises(ValidationFailed, match="product 'other' names no OSV package"):
        export(ports, report_id, "osv")
