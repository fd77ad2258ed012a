"""Validate advisories against the published schemas in tests/schemas, never the network,
and with BSI's CSAF validator (tests/csaf_validator.mjs, under Node)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMAS = Path(__file__).parent / "schemas"
ROOT = Path(__file__).parent.parent
# The example policy's OSV id prefix: the schema's mark of a local database (x_), which the
# published schema accepts as it is.
EXAMPLE_PREFIX = "x_EXAMPLE"
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


def _validator(schema: Any) -> Draft202012Validator:
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def osv_schema(*registered: str) -> Any:
    """The pinned OSV schema; with prefixes named, as it will read once OSV lists them
    among the prefixes it assigned (their ids then pass `id`), and changed in nothing else."""
    schema = copy.deepcopy(_load("osv/schema.json"))
    prefix = schema["$defs"]["prefix"]
    assert prefix["pattern"].startswith("^(")  # the shape this relies on
    prefix["pattern"] = "^(" + "".join(f"{name}|" for name in registered) + prefix["pattern"][2:]
    return schema


def schema_errors(document: Any, fmt: str, *, osv_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Every schema violation as "path: message" (empty when the document is valid)."""
    schema = _load("csaf/csaf_json_schema.json") if fmt == "csaf" else osv_schema(*osv_prefixes)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in _validator(schema).iter_errors(document)
    ]


VALIDATOR = ROOT / "node_modules" / "@secvisogram" / "csaf-validator-lib"
INSTALL = "run `make test` (or `make node-packages`) to install it from package-lock.json"


def bsi_validation(documents: list[Any]) -> list[dict[str, Any]]:
    """BSI's CSAF validator on each document (schema, mandatory and optional tests): one
    {"isValid", "ran", "findings"} per document, as tests/csaf_validator.mjs prints it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"BSI's CSAF validator runs under Node.js, which is not installed; {INSTALL}")
    if not (VALIDATOR / "package.json").is_file():
        pytest.fail(f"BSI's CSAF validator is not in node_modules: {INSTALL}")
    script = Path(__file__).parent / "csaf_validator.mjs"
    run = subprocess.run(
        [node, str(script)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    results: list[dict[str, Any]] = json.loads(run.stdout)
    return results
