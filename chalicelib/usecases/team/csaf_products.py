"""The product tree of a CSAF advisory: the vendor, the product, the affected range (a
`vers` range) and the fixed version, each with an identification helper (a CPE name,
and a package URL for plain packages)."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.usecases.team.advisories import describe
from chalicelib.usecases.team.advisory_facts import Facts, purl


def product_tree(facts: Facts) -> dict[str, Any]:
    (affected_id, fixed_id), fixed = product_ids(facts), facts.versions.fixed
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


def product_ids(facts: Facts) -> tuple[str, str | None]:
    product, fixed = facts.record.product, facts.versions.fixed
    return f"{product}-affected", (f"{product}-{fixed}" if fixed else None)


def _vers(affected: str) -> str:
    """A PEP 440 range as a `vers` string (the CSAF spec's notation for ranges)."""
    return "vers:generic/" + ("*" if affected == "*" else affected.replace(",", "|"))
