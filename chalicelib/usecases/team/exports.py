"""Advisories as CSAF 2.0 (csaf.py) and OSV (osv.py) documents, from the public facts
of a report (advisory_facts.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.report.records import ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.advisories import version_range
from chalicelib.usecases.team.advisory_facts import Facts
from chalicelib.usecases.team.csaf import csaf_document
from chalicelib.usecases.team.osv import osv_entry, osv_product
from chalicelib.usecases.team.triage import get_report

FORMATS = ("csaf", "osv")


def export(ports: Ports, report_id: str, fmt: str, *, title: str | None = None) -> dict[str, Any]:
    """The advisory for one report; final once disclosed, a draft before."""
    record = get_report(ports, report_id)
    if fmt == "osv":
        product = osv_product(ports.policy, record)  # refused before any credit is read
        return osv_entry(gather(ports, record, title), product)
    return csaf_document(gather(ports, record, title))


def gather(ports: Ports, record: ReportRecord, title: str | None) -> Facts:
    policy = ports.policy
    product = policy.product(record.product)
    product_name = product.name if product else record.product
    weakness = record.cwe_name or "Security vulnerability"
    return Facts(
        record=record,
        vendor=policy.organisation.name,
        vendor_url=policy.organisation.website or policy.organisation.policy_url,
        policy_url=policy.organisation.policy_url,
        product=product,
        product_name=product_name,
        versions=version_range(record),
        credit=credits.published_name(ports, record),
        title=(title or "").strip() or f"{weakness} in {product_name}",
        now=ports.clock(),
        publishing=policy.advisories,
    )
