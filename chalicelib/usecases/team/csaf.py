"""An advisory as a CSAF 2.0 document (csaf_security_advisory).

One vulnerability item per CVE id, since an item names at most one CVE (and a CVE may
appear in one item only); other databases' ids go to each item's `ids`. The document is
written as BSI's optional tests ask: a TLP label, a canonical URL once disclosed, an
identification helper for every product, a remediation for every affected product,
and keys in alphabetical order.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.scoring import score_vector
from chalicelib.usecases.team.advisories import describe
from chalicelib.usecases.team.advisory_facts import ENGINE, Facts, canonical_url, iso, purl, summary

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
        "product_tree": _product_tree(facts),
        "vulnerabilities": [_vulnerability(facts, cve) for cve in cve_ids],
    }
    ordered: dict[str, Any] = _sorted_keys(document)
    return ordered


def _document(facts: Facts) -> dict[str, Any]:
    released = iso(facts.record.disclosed_at or facts.now)
    version = "1" if facts.final else "0"  # a draft's version is 0 (CSAF 6.1.17)
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "lang": "en",
        "title": facts.title,
        "publisher": {"category": "vendor", "name": facts.vendor, "namespace": facts.vendor_url},
        "notes": [{"category": "summary", "title": "Summary", "text": summary(facts)}],
        # Public once disclosed; before, a draft for the team and those it works with.
        "distribution": {"tlp": {"label": "WHITE" if facts.final else "AMBER"}},
        "tracking": {
            "id": facts.record.report_id,
            "status": "final" if facts.final else "draft",
            "version": version,
            "initial_release_date": released,
            "current_release_date": released,
            "revision_history": [
                {"date": released, "number": version, "summary": "Initial release."}
            ],
            "generator": {"engine": ENGINE, "date": iso(facts.now)},
        },
    }
    references = _references(facts)
    if references:
        document["references"] = references
    if facts.credit:
        document["acknowledgments"] = [
            {"names": [facts.credit], "summary": "reported this vulnerability"}
        ]
    return document


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
    record, (affected_id, fixed_id) = facts.record, _product_ids(facts)
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
    if record.cvss_vector and record.cvss_vector.startswith("CVSS:3.1/"):
        score = score_vector(record.cvss_vector)
        cvss = {"version": "3.1", "vectorString": score.vector, "baseScore": score.score}
        cvss["baseSeverity"] = score.rating.upper()
        vulnerability["scores"] = [{"products": [affected_id], "cvss_v3": cvss}]
    if record.disclosed_at:
        vulnerability["release_date"] = iso(record.disclosed_at)
    return vulnerability


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


def _product_tree(facts: Facts) -> dict[str, Any]:
    (affected_id, fixed_id), fixed = _product_ids(facts), facts.versions.fixed
    affected = describe(facts.versions)
    leaves = [_leaf(facts, "product_version_range", _vers(affected), affected, affected_id, None)]
    if fixed_id and fixed:
        leaves.append(_leaf(facts, "product_version", fixed, fixed, fixed_id, fixed))
    product = {"category": "product_name", "name": facts.product_name, "branches": leaves}
    return {"branches": [{"category": "vendor", "name": facts.vendor, "branches": [product]}]}


def _leaf(
    facts: Facts, category: str, name: str, label: str, product_id: str, version: str | None
) -> dict[str, Any]:
    helper = {"cpe": _cpe(facts, version)}
    if package_url := purl(facts, version):
        helper["purl"] = package_url
    full_name: dict[str, Any] = {"name": f"{facts.product_name} {label}", "product_id": product_id}
    full_name["product_identification_helper"] = helper
    return {"category": category, "name": name, "product": full_name}


def _cpe(facts: Facts, version: str | None) -> str:
    """A CPE 2.3 name for the vendor's application: any version for a range."""
    vendor, product = (_cpe_word(text) for text in (facts.vendor, facts.record.product))
    return f"cpe:2.3:a:{vendor}:{product}:{_cpe_word(version) if version else '*'}:*:*:*:*:*:*:*"


def _cpe_word(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "_", text.lower())


def _product_ids(facts: Facts) -> tuple[str, str | None]:
    product, fixed = facts.record.product, facts.versions.fixed
    return f"{product}-affected", (f"{product}-{fixed}" if fixed else None)


def _vers(affected: str) -> str:
    """A PEP 440 range as a `vers` string (the CSAF spec's notation for ranges)."""
    return "vers:generic/" + ("*" if affected == "*" else affected.replace(",", "|"))


def _sorted_keys(value: Any) -> Any:
    """Objects with their keys in alphabetical order, as BSI's optional test 6.2.13 asks."""
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value, key=str.lower)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value
