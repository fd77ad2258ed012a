"""Validate advisories against the published schemas in tests/schemas, never the network."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMAS = Path(__file__).parent / "schemas"
# The CSAF schema $refs these addresses; the files carry dated ids (…json?20170531).
CVSS_SCHEMAS = ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json")


def _offline(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


@cache
def _registry() -> Registry:
    resources = []
    for name in CVSS_SCHEMAS:
        resource = Resource.from_contents(_load(f"csaf/referenced/{name}"))
        resources += [(f"https://www.first.org/cvss/{name}", resource)]
        resources += [(resource.id() or name, resource)]
    return Registry(retrieve=_offline).with_resources(resources)  # type: ignore[call-arg]


def _load(relative: str) -> Any:
    return json.loads((SCHEMAS / relative).read_text(encoding="utf-8"))


def _validator(relative: str) -> Draft202012Validator:
    schema = _load(relative)
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(document: Any, fmt: str) -> list[str]:
    """Every schema violation as "path: message" (empty when the document is valid)."""
    validator = _validator("csaf/csaf_json_schema.json" if fmt == "csaf" else "osv/schema.json")
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)
    ]
