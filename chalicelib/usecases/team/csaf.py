"""An advisory as a CSAF 2.0 document (csaf_security_advisory).

One vulnerability item per CVE id, since an item names at most one CVE (and a CVE may
appear in one item only); other databases' ids go to each item's `ids`. The document is
written as BSI's optional tests ask: a TLP label, a canonical URL once disclosed, an
identification helper for every product, a remediation for every affected product,
and keys in alphabetical order.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.report.scoring import score_vector
from chalicelib.usecases.team.advisory_facts import ENGINE, Facts, canonical_url, iso, summary
from chalicelib.usecases.team.csaf_products import product_ids, product_tree

# Names of the numbering systems aliases come from most often; others go by their prefix.
ID_SYSTEMS = {
    "GHSA": "GitHub Security Advisory",
    "PYSEC": "PyPI Advisory Database",
    "RUSTSEC": "RustSec Advisory Database",
    "GO": "Go Vulnerability Database",
}


def csaf_document(facts: Facts) -> dict[str, Any]:
    cve_ids: list[str | None] = [*facts.record.cve_ids] or [None]
    document = {
        "document": _document(facts),
        "product_tree": product_tree(facts),
        "vulnerabilities": [_vulnerability(facts, cve) for cve in cve_ids],
    }
    ordered: dict[str, Any] = _sorted_keys(document)
    return ordered


def _document(facts: Facts) -> dict[str, Any]:
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "lang": "en",
        "title": facts.title,
        "publisher": {"category": "vendor", "name": facts.vendor, "namespace": facts.vendor_url},
        "notes": [{"category": "summary", "title": "Summary", "text": summary(facts)}],
        # Public once disclosed; before, a draft for the team and those it works with.
        "distribution": {"tlp": {"label": "WHITE" if facts.final else "AMBER"}},
        "tracking": _tracking(facts),
    }
    if references := _references(facts):
        document["references"] = references
    if facts.credit:
        document["acknowledgments"] = [
            {"names": [facts.credit], "summary": "reported this vulnerability"}
        ]
    return document


def _tracking(facts: Facts) -> dict[str, Any]:
    released = iso(facts.record.disclosed_at or facts.now)
    version = "1" if facts.final else "0"  # a draft's version is 0 (CSAF 6.1.17)
    return {
        "id": facts.record.report_id,
        "status": "final" if facts.final else "draft",
        "version": version,
        "initial_release_date": released,
        "current_release_date": released,
        "revision_history": [{"date": released, "number": version, "summary": "Initial release."}],
        "generator": {"engine": ENGINE, "date": iso(facts.now)},
    }


def _references(facts: Facts) -> list[dict[str, str]]:
    found = []
    if url := canonical_url(facts):
        found.append({"category": "self", "summary": "This advisory", "url": url})
    if facts.policy_url:
        found.append(
            {"category": "external", "summary": "Security policy", "url": facts.policy_url}
        )
    return found


def _vulnerability(facts: Facts, cve: str | None) -> dict[str, Any]:
    record, (affected_id, fixed_id) = facts.record, product_ids(facts)
    vulnerability: dict[str, Any] = {
        "title": facts.title,
        "notes": [{"category": "description", "text": summary(facts)}],
        "product_status": {
            "known_affected": [affected_id],
            **({"fixed": [fixed_id]} if fixed_id else {}),
        },
        "remediations": [_remediation(facts, affected_id)],
    }
    if cve:
        vulnerability["cve"] = cve
    if record.aliases:
        vulnerability["ids"] = [
            {"system_name": _system(alias), "text": alias} for alias in record.aliases
        ]
    if record.cwe and record.cwe_name:
        vulnerability["cwe"] = {"id": record.cwe, "name": record.cwe_name}
    if scores := _scores(facts, affected_id):
        vulnerability["scores"] = scores
    if record.disclosed_at:
        vulnerability["release_date"] = iso(record.disclosed_at)
    return vulnerability


def _scores(facts: Facts, affected_id: str) -> list[dict[str, Any]]:
    """CVSS 3.1 only: CSAF 2.0 knows no CVSS 4.0 (OSV carries that vector)."""
    vector = facts.record.cvss_vector
    if not vector or not vector.startswith("CVSS:3.1/"):
        return []
    score = score_vector(vector)
    cvss = {"version": "3.1", "vectorString": score.vector, "baseScore": score.score}
    cvss["baseSeverity"] = score.rating.upper()
    return [{"products": [affected_id], "cvss_v3": cvss}]


def _remediation(facts: Facts, affected_id: str) -> dict[str, Any]:
    fixed = facts.versions.fixed
    if fixed:
        details = f"Update {facts.product_name} to {fixed} or later."
        return {"category": "vendor_fix", "details": details, "product_ids": [affected_id]}
    details = "No fixed version is available yet."
    return {"category": "none_available", "details": details, "product_ids": [affected_id]}


def _system(alias: str) -> str:
    prefix = alias.split("-", 1)[0]
    return ID_SYSTEMS.get(prefix, prefix)


def _sorted_keys(value: Any) -> Any:
    """Objects with their keys in alphabetical order, as BSI's optional test 6.2.13 asks."""
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value, key=str.lower)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value
