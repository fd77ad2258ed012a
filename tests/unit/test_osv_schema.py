"""The pinned OSV schema and what vdp copies of it: the ecosystem list the policy loader
checks products against, and the schema release OSV exports name."""

from __future__ import annotations

import hashlib
import json
import re

from chalicelib.domain.policy.osv_ecosystems import ECOSYSTEMS, SCHEMA_VERSION
from tests.advisory_schemas import SCHEMAS, osv_schema

SOURCE = json.loads((SCHEMAS / "osv" / "SOURCE.json").read_text(encoding="utf-8"))


def test_the_policy_checks_products_against_the_pinned_schemas_ecosystems() -> None:
    listed = osv_schema()["$defs"]["ecosystemName"]["enum"]
    missing, extra = sorted(set(listed) - set(ECOSYSTEMS)), sorted(set(ECOSYSTEMS) - set(listed))

    assert list(ECOSYSTEMS) == listed, (
        f"copy the pinned schema's list to chalicelib/domain/policy/osv_ecosystems.py: "
        f"missing {missing}, extra {extra}"
    )


def test_the_schemas_ecosystem_pattern_names_the_same_ecosystems() -> None:
    pattern = osv_schema()["$defs"]["ecosystemWithSuffix"]["pattern"]

    names = re.fullmatch(r"\^\((.*)\)\(:\.\+\)\?\$", pattern)

    assert names is not None
    assert [re.sub(r"\\(.)", r"\1", name) for name in names[1].split("|")] == [*ECOSYSTEMS, "GIT"]


def test_exports_name_the_release_the_sidecar_records_for_this_very_file() -> None:
    pinned = (SCHEMAS / "osv" / SOURCE["file"]).read_bytes()

    assert SCHEMA_VERSION == SOURCE["release"]
    assert hashlib.sha256(pinned).hexdigest() == SOURCE["sha256"]
