"""CSAF exports through BSI's CSAF validator (schema, mandatory and optional tests), run
under Node by tests/csaf_validator.mjs; `make test` installs the validator. Loading it
takes seconds, so one run checks every document here."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.usecases.team.advisories import disclose, set_advisory
from chalicelib.usecases.team.exports import export
from tests.advisory_schemas import bsi_validation, schema_errors
from tests.builders import ADVISORY_REPORT, CVES, DISCLOSED, GHSA, advisory_ready, fixed_report
from tests.unit.fakes import fake_ports

# What the pinned validator runs: one schema test, 43 mandatory and 20 optional tests.
RAN = {"schema": 1, "mandatory": 43, "optional": 20}
DISCLOSED_ADVISORIES = ("single product", "two products", "two products, CVEs and an alias")


def single_product() -> dict[str, Any]:
    """Disclosed with no fixed version yet: one product, the affected range."""
    ports = fake_ports(now=DISCLOSED)
    report_id = fixed_report(ports, ADVISORY_REPORT)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", affected=">=2.0")
    disclose(ports, "alice", report_id)
    return export(ports, report_id, "csaf")


def broken() -> dict[str, Any]:
    document = export(*advisory_ready(ADVISORY_REPORT, publish=False, cve_ids=CVES), "csaf")
    document["vulnerabilities"][1]["cve"] = CVES[0]  # one CVE in two items (CSAF 6.1.23)
    document["vulnerabilities"][0]["product_status"]["known_affected"] = ["nowhere"]
    del document["document"]["distribution"]
    return document


def draft() -> dict[str, Any]:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", fixed_in="2.4.2", cve_ids=CVES[:1])
    return export(ports, report_id, "csaf")


@pytest.fixture(scope="module")
def validated() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each document by name, with what the validator said of it."""
    documents = {
        "single product": single_product(),
        "two products": export(*advisory_ready(ADVISORY_REPORT, publish=True), "csaf"),
        "two products, CVEs and an alias": export(
            *advisory_ready(ADVISORY_REPORT, publish=True, cve_ids=CVES, aliases=[GHSA]), "csaf"
        ),
        "broken": broken(),
        "draft": draft(),
    }
    results = bsi_validation(list(documents.values()))
    return {
        name: (documents[name], result) for name, result in zip(documents, results, strict=True)
    }


def complaints(result: dict[str, Any]) -> list[str]:
    """Every error of any test, and every finding of an optional test (they warn)."""
    return [
        f"{finding['group']} {finding['test']}: {message['message']} at {message['instancePath']}"
        for finding in result["findings"]
        for kind in ("errors", "warnings")
        for message in finding[kind]
        if kind == "errors" or finding["group"] == "optional"
    ]


def products(document: dict[str, Any]) -> list[str]:
    leaves = document["product_tree"]["branches"][0]["branches"][0]["branches"]
    return [leaf["product"]["product_id"] for leaf in leaves]


@pytest.mark.parametrize("name", DISCLOSED_ADVISORIES)
def test_disclosed_advisories_pass_every_schema_mandatory_and_optional_test(
    validated: dict[str, tuple[dict[str, Any], dict[str, Any]]], name: str
) -> None:
    document, result = validated[name]

    assert result["ran"] == RAN
    assert complaints(result) == []
    assert result["isValid"] and schema_errors(document, "csaf") == []


def test_the_disclosed_advisories_cover_one_and_two_products_and_cves(
    validated: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    single, two, with_ids = (validated[name][0] for name in DISCLOSED_ADVISORIES)

    assert products(single) == ["example-app-affected"]
    assert products(two) == products(with_ids) == ["example-app-affected", "example-app-2.4.2"]
    assert [item.get("cve") for item in with_ids["vulnerabilities"]] == CVES
    assert with_ids["vulnerabilities"][0]["ids"][0]["text"] == GHSA


def test_the_validator_finds_what_breaks_a_document(
    validated: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    _, result = validated["broken"]

    found = complaints(result)
    assert not result["isValid"]
    assert any(line.startswith("mandatory mandatoryTest_6_1_1:") for line in found)
    assert any(line.startswith("mandatory mandatoryTest_6_1_23:") for line in found)
    assert any(line.startswith("optional optionalTest_6_2_10:") for line in found)


def test_drafts_pass_the_schema_and_mandatory_tests(
    validated: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    document, result = validated["draft"]

    assert document["document"]["tracking"]["status"] == "draft"
    assert result["isValid"] and result["ran"] == RAN
    assert [f["test"] for f in result["findings"] if f["group"] != "optional"] == []
