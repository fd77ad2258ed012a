"""The ecosystems the OSV schema names (its `$defs/ecosystemName` list), so the policy
can check each product's `osv_ecosystem` when it loads, without the schema.

A copy of the list in the schema the tests pin (tests/schemas/osv/schema.json, release
`SCHEMA_VERSION`): a test fails when the two differ. Replace both together.
"""

from __future__ import annotations

SCHEMA_VERSION = "1.7.5"

ECOSYSTEMS: tuple[str, ...] = (
    "AlmaLinux",
    "Alpaquita",
    "Alpine",
    "Android",
    "Azure Linux",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "Bitnami",
    "Chainguard",
    "CleanStart",
    "ConanCenter",
    "CRAN",
    "crates.io",
    "Debian",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "GitHub Actions",
    "Go",
    "Hackage",
    "Hex",
    "Julia",
    "Kubernetes",
    "Linux",
    "Mageia",
    "Maven",
    "MinimOS",
    "npm",
    "NuGet",
    "opam",
    "openEuler",
    "openSUSE",
    "OSS-Fuzz",
    "Packagist",
    "Photon OS",
    "Pub",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "Root",
    "RubyGems",
    "SUSE",
    "SwiftURL",
    "TuxCare",
    "Ubuntu",
    "VSCode",
    "Wolfi",
)


def ecosystem_problem(ecosystem: str) -> str | None:
    """Why `ecosystem` is no OSV ecosystem (None when it is): a listed name, optionally
    with a `:<suffix>` such as `Debian:12` or `Maven:<repository URL>`, as the schema allows."""
    name, colon, suffix = ecosystem.partition(":")
    if name not in ECOSYSTEMS:
        same = [known for known in ECOSYSTEMS if known.lower() == name.lower()]
        hint = f"did you mean {same[0]!r}?" if same else "the schema lists PyPI, npm, Go and more"
        return f"{name!r} is not an OSV ecosystem ({hint})"
    if colon and not suffix:
        return "an ecosystem suffix follows the colon, e.g. Debian:12"
    return None
