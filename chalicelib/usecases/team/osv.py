"""An advisory as an OSV entry.

Its id is <prefix>-<report id>, with the database prefix OSV assigned to the organisation
(policy [advisories] osv_prefix); its package is the product's OSV ecosystem and name
from the policy. CVE ids and other databases' ids are its `aliases`.
"""

from __future__ import annotations

from typing import Any, NoReturn

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.policy.osv_ecosystems import SCHEMA_VERSION
from chalicelib.domain.policy.sections import Product
from chalicelib.domain.report.records import ReportRecord
from chalicelib.usecases.team.advisory_facts import Facts, canonical_url, purl, summary, utc


def osv_product(policy: Policy, record: ReportRecord) -> Product:
    """The report's product when it can be exported as OSV; else refused in one line."""
    if not policy.advisories.osv_prefix:
        _refuse(
            "OSV ids need the database prefix OSV assigned to you: set [advisories] "
            "osv_prefix in policy.toml (docs/advisories.md)"
        )
    product = policy.product(record.product)
    if product is None or not product.osv_ecosystem:
        _refuse(
            f"product {record.product!r} names no OSV package: give it osv_ecosystem and "
            "osv_package in policy.toml (CSAF export needs neither)"
        )
    return product


def osv_entry(facts: Facts, product: Product) -> dict[str, Any]:
    record = facts.record
    package = {"ecosystem": product.osv_ecosystem, "name": product.osv_package}
    package.update({"purl": package_url} if (package_url := purl(facts)) else {})
    entry: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": f"{facts.publishing.osv_prefix}-{record.report_id}",
        "modified": utc(facts.now),
        "summary": facts.title,
        "details": summary(facts),
        "affected": [
            {"package": package, "ranges": [{"type": "ECOSYSTEM", "events": _events(facts)}]}
        ],
    }
    if aliases := [*record.cve_ids, *record.aliases]:
        entry["aliases"] = aliases
    if record.disclosed_at:
        entry["published"] = utc(record.disclosed_at)
    if record.cvss_vector:
        kind = "CVSS_V4" if record.cvss_vector.startswith("CVSS:4.0/") else "CVSS_V3"
        entry["severity"] = [{"type": kind, "score": record.cvss_vector}]
    if references := _references(facts):
        entry["references"] = references
    if facts.credit:
        entry["credits"] = [{"name": facts.credit, "type": "FINDER"}]
    if record.cwe:
        entry["database_specific"] = {"cwe_ids": [record.cwe]}
    return entry


def _refuse(problem: str) -> NoReturn:
    raise ValidationFailed([FieldProblem("format", problem)], problem)


def _events(facts: Facts) -> list[dict[str, str]]:
    versions = facts.versions
    introduced = {"introduced": versions.introduced or "0"}
    if versions.last_affected:
        return [introduced, {"last_affected": versions.last_affected}]
    return [introduced, {"fixed": versions.fixed}] if versions.fixed else [introduced]


def _references(facts: Facts) -> list[dict[str, str]]:
    found = []
    if url := canonical_url(facts):
        found.append({"type": "ADVISORY", "url": url})
    if facts.policy_url:
        found.append({"type": "WEB", "url": facts.policy_url})
    return found
