"""What an advisory says, gathered once for both formats (csaf.py, osv.py).

Only public facts: the record's advisory fields, CVSS, the policy, and the reporter's
credit when the team published it (so the reporter consented). Anonymous reporters and
reporters who declined credit never appear. Nothing the reporter wrote (title,
description) is copied: the title is the team's or generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.policy.sections import Advisories, Product
from chalicelib.domain.report.records import ReportRecord
from chalicelib.usecases.team.advisories import AffectedVersions, describe

ENGINE = {"name": "vdp", "version": "0.1.0"}


@dataclass(frozen=True)
class Facts:
    record: ReportRecord
    vendor: str
    vendor_url: str
    policy_url: str
    product: Product | None  # None: a report filed under "other"
    product_name: str
    versions: AffectedVersions
    credit: str | None
    title: str
    now: datetime
    publishing: Advisories

    @property
    def final(self) -> bool:
        """Disclosed: the advisory is public and its documents are no longer drafts."""
        return self.record.disclosed_at is not None


def summary(facts: Facts) -> str:
    text = f"{facts.title}. Affected versions of {facts.product_name}: {describe(facts.versions)}."
    if facts.versions.fixed:
        text += f" Fixed in {facts.versions.fixed}."
    return text


def canonical_url(facts: Facts) -> str | None:
    """Where the disclosed CSAF document is published: <base>/<year>/<file name>, the file
    named from its tracking id as CSAF 2.0 (5.1) names files, the year its release's."""
    base, disclosed = facts.publishing.csaf_base_url, facts.record.disclosed_at
    if not base or disclosed is None:
        return None
    name = re.sub(r"[^+\-a-z0-9]+", "_", facts.record.report_id.lower())
    return f"{base}/{disclosed.year}/{name}.json"


def purl(facts: Facts, version: str | None = None) -> str | None:
    """The product's package URL, for the ecosystems whose purl type is plain to derive
    and a package name that needs no encoding; None for any other product."""
    product = facts.product
    kind = _PURL_TYPES.get((product.osv_ecosystem if product else "").partition(":")[0])
    if product is None or kind is None or not re.fullmatch(r"[A-Za-z0-9._-]+", product.osv_package):
        return None
    # PyPI names are compared normalised (PEP 503), and purl spells them so.
    name = product.osv_package.lower().replace("_", "-") if kind == "pypi" else product.osv_package
    return f"pkg:{kind}/{name}" + (f"@{version}" if version else "")


_PURL_TYPES = {
    "PyPI": "pypi",
    "npm": "npm",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Hex": "hex",
    "Pub": "pub",
}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
