"""Advisories as CSAF 2.0 (csaf_security_advisory) and OSV documents.

Built only from public facts: the record's advisory fields, CVSS, the policy, and the
reporter's credit when the team published it (so the reporter consented). Anonymous
reporters and reporters who declined credit never appear. Nothing the reporter wrote
(title, description) is copied: the title is the team's or generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.records import ReportRecord
from chalicelib.domain.scoring import score_vector
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.advisories import AffectedVersions, describe, version_range
from chalicelib.usecases.team.triage import get_report

FORMATS = ("csaf", "osv")
OSV_SCHEMA_VERSION = "1.6.0"
ENGINE = {"name": "vdp", "version": "0.1.0"}


@dataclass(frozen=True)
class Facts:
    record: ReportRecord
    vendor: str
    vendor_url: str
    policy_url: str
    product_name: str
    versions: AffectedVersions
    credit: str | None
    title: str
    now: datetime


def export(
    ports: Ports,
    report_id: str,
    fmt: str,
    *,
    title: str | None = None,
    ecosystem: str = "",
) -> dict[str, Any]:
    """The advisory for one report; final once disclosed, a draft before."""
    record = get_report(ports, report_id)
    policy = ports.policy
    product = policy.product(record.product)
    product_name = product.name if product else record.product
    weakness = record.cwe_name or "Security vulnerability"
    facts = Facts(
        record=record,
        vendor=policy.organisation.name,
        vendor_url=policy.organisation.website or policy.organisation.policy_url,
        policy_url=policy.organisation.policy_url,
        product_name=product_name,
        versions=version_range(record),
        credit=credits.published_name(ports, record),
        title=(title or "").strip() or f"{weakness} in {product_name}",
        now=ports.clock(),
    )
    return csaf(facts) if fmt == "csaf" else osv(facts, ecosystem or facts.vendor)


def csaf(facts: Facts) -> dict[str, Any]:
    record, final = facts.record, facts.record.disclosed_at is not None
    released = _iso(record.disclosed_at or facts.now)
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "lang": "en",
        "title": facts.title,
        "publisher": {"category": "vendor", "name": facts.vendor, "namespace": facts.vendor_url},
        "notes": [{"category": "summary", "title": "Summary", "text": _summary(facts)}],
        "tracking": {
            "id": record.report_id,
            "status": "final" if final else "draft",
            "version": "1" if final else "0",  # a draft's version is 0 (CSAF 6.1.17)
            "initial_release_date": released,
            "current_release_date": released,
            "revision_history": [
                {"date": released, "number": "1" if final else "0", "summary": "Initial release."}
            ],
            "generator": {"engine": ENGINE, "date": _iso(facts.now)},
        },
    }
    if facts.policy_url:
        document["references"] = [
            {"category": "external", "summary": "Security policy", "url": facts.policy_url}
        ]
    if facts.credit:
        document["acknowledgments"] = [
            {"names": [facts.credit], "summary": "reported this vulnerability"}
        ]
    return {
        "document": document,
        "product_tree": _product_tree(facts),
        "vulnerabilities": [_csaf_vulnerability(facts)],
    }


def osv(facts: Facts, ecosystem: str) -> dict[str, Any]:
    record, versions = facts.record, facts.versions
    end = (
        {"last_affected": versions.last_affected}
        if versions.last_affected
        else ({"fixed": versions.fixed} if versions.fixed else None)
    )
    events = [{"introduced": versions.introduced or "0"}, *([end] if end else [])]
    entry: dict[str, Any] = {
        "schema_version": OSV_SCHEMA_VERSION,
        "id": record.report_id,
        "modified": _utc(facts.now),
        "summary": facts.title,
        "details": _summary(facts),
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": record.product},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }
    if record.disclosed_at:
        entry["published"] = _utc(record.disclosed_at)
    if record.cvss_vector:
        kind = "CVSS_V4" if record.cvss_vector.startswith("CVSS:4.0/") else "CVSS_V3"
        entry["severity"] = [{"type": kind, "score": record.cvss_vector}]
    if facts.policy_url:
        entry["references"] = [{"type": "WEB", "url": facts.policy_url}]
    if facts.credit:
        entry["credits"] = [{"name": facts.credit, "type": "FINDER"}]
    if record.cwe:
        entry["database_specific"] = {"cwe_ids": [record.cwe]}
    return entry


def _csaf_vulnerability(facts: Facts) -> dict[str, Any]:
    record = facts.record
    affected_id, fixed_id = _product_ids(facts)
    vulnerability: dict[str, Any] = {
        "title": facts.title,
        "notes": [{"category": "description", "text": _summary(facts)}],
        "product_status": {"known_affected": [affected_id]},
    }
    if record.cwe and record.cwe_name:
        vulnerability["cwe"] = {"id": record.cwe, "name": record.cwe_name}
    if record.cvss_vector and record.cvss_vector.startswith("CVSS:3.1/"):
        score = score_vector(record.cvss_vector)
        cvss = {
            "version": "3.1",
            "vectorString": score.vector,
            "baseScore": score.score,
            "baseSeverity": score.rating.upper(),
        }
        vulnerability["scores"] = [{"products": [affected_id], "cvss_v3": cvss}]
    if fixed_id:
        vulnerability["product_status"]["fixed"] = [fixed_id]
        vulnerability["remediations"] = [
            {
                "category": "vendor_fix",
                "details": f"Update {facts.product_name} to {facts.versions.fixed} or later.",
                "product_ids": [affected_id],
            }
        ]
    if record.disclosed_at:
        vulnerability["release_date"] = _iso(record.disclosed_at)
    return vulnerability


def _product_tree(facts: Facts) -> dict[str, Any]:
    affected_id, fixed_id = _product_ids(facts)
    affected = describe(facts.versions)
    leaves = [_leaf("product_version_range", _vers(affected), f"{affected}", affected_id, facts)]
    if fixed_id and facts.versions.fixed:
        leaves.append(
            _leaf("product_version", facts.versions.fixed, facts.versions.fixed, fixed_id, facts)
        )
    product = {"category": "product_name", "name": facts.product_name, "branches": leaves}
    return {"branches": [{"category": "vendor", "name": facts.vendor, "branches": [product]}]}


def _leaf(category: str, name: str, label: str, product_id: str, facts: Facts) -> dict[str, Any]:
    full_name = {"name": f"{facts.product_name} {label}", "product_id": product_id}
    return {"category": category, "name": name, "product": full_name}


def _product_ids(facts: Facts) -> tuple[str, str | None]:
    product = facts.record.product
    fixed = facts.versions.fixed
    return f"{product}-affected", (f"{product}-{fixed}" if fixed else None)


def _vers(affected: str) -> str:
    """A PEP 440 range as a `vers` string (the CSAF spec's notation for ranges)."""
    return "vers:generic/" + ("*" if affected == "*" else affected.replace(",", "|"))


def _summary(facts: Facts) -> str:
    text = f"{facts.title}. Affected versions of {facts.product_name}: {describe(facts.versions)}."
    if facts.versions.fixed:
        text += f" Fixed in {facts.versions.fixed}."
    return text


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
