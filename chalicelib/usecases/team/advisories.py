"""The public facts of an advisory (CWE, affected and fixed versions, disclosure date).

They live on the report's metadata row: none of them is reporter content. Versions
are PEP 440 (the `packaging` library), as the policy's supported-version ranges are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import embargo
from chalicelib.usecases.team.triage import get_report

_CWE_ID = re.compile(r"^CWE-[1-9]\d{0,5}$")
_CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
# Another database's id: its prefix, a hyphen, then the id in that database's own form
# (GHSA-xxxx-xxxx-xxxx, PYSEC-2024-1, RUSTSEC-2024-0001, RHSA-2024:1234, ...).
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9][A-Za-z0-9._:]*)+$")
# Names as MITRE's CWE list gives them, for the weaknesses reported most often.
# Any other CWE needs its name from the team (--cwe-name): CSAF requires both.
CWE_NAMES = {
    "CWE-20": "Improper Input Validation",
    "CWE-22": "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    "CWE-77": "Improper Neutralization of Special Elements used in a Command ('Command Injection')",
    "CWE-78": "Improper Neutralization of Special Elements used in an OS Command "
    "('OS Command Injection')",
    "CWE-79": "Improper Neutralization of Input During Web Page Generation "
    "('Cross-site Scripting')",
    "CWE-89": "Improper Neutralization of Special Elements used in an SQL Command "
    "('SQL Injection')",
    "CWE-94": "Improper Control of Generation of Code ('Code Injection')",
    "CWE-200": "Exposure of Sensitive Information to an Unauthorized Actor",
    "CWE-287": "Improper Authentication",
    "CWE-306": "Missing Authentication for Critical Function",
    "CWE-352": "Cross-Site Request Forgery (CSRF)",
    "CWE-434": "Unrestricted Upload of File with Dangerous Type",
    "CWE-502": "Deserialization of Untrusted Data",
    "CWE-601": "URL Redirection to Untrusted Site ('Open Redirect')",
    "CWE-639": "Authorization Bypass Through User-Controlled Key",
    "CWE-862": "Missing Authorization",
    "CWE-863": "Incorrect Authorization",
    "CWE-918": "Server-Side Request Forgery (SSRF)",
}


@dataclass(frozen=True)
class AffectedVersions:
    """Affected versions as the advisory formats need them: from, fixed in, last affected."""

    introduced: str | None
    fixed: str | None
    last_affected: str | None


NAME_NEEDS_CWE = "--cwe-name names the CWE given with --cwe"


def set_advisory(
    ports: Ports,
    actor: str,
    report_id: str,
    *,
    cwe: str | None = None,
    cwe_name: str | None = None,
    affected: str | None = None,
    fixed_in: str | None = None,
    cve_ids: Sequence[str] | None = None,
    aliases: Sequence[str] | None = None,
) -> ReportRecord:
    """Record the advisory facts given (others keep their value); saved only if unchanged.
    A list of ids given replaces the one recorded (an empty one clears it). With nothing
    given, nothing is written and the report's facts are returned as they are."""
    record = get_report(ports, report_id)
    changes = _fact_changes(cwe, cwe_name, affected, fixed_in) | _id_changes(cve_ids, aliases)
    if not changes:
        return record
    updated = record.model_copy(update=changes)
    version_range(updated)  # the combination must make sense too
    now = ports.clock()
    after = updated.model_copy(update={"updated_at": now, "rev": record.rev + 1})
    facts = ", ".join(
        f"{name}={_shown(value)}" for name, value in changes.items() if name != "cwe_name"
    )
    event = ReportEvent(at=now, kind="advisory", public=False, actor=actor, detail=facts)
    ports.reports.update(record, after, [event])
    return after


def _fact_changes(
    cwe: str | None, cwe_name: str | None, affected: str | None, fixed_in: str | None
) -> dict[str, object]:
    if cwe_name is not None and cwe is None:
        raise ValidationFailed([FieldProblem("cwe_name", NAME_NEEDS_CWE)], NAME_NEEDS_CWE)
    changes: dict[str, object] = {}
    if cwe is not None:
        changes.update(cwe=_check_cwe(cwe), cwe_name=_cwe_name(cwe, cwe_name))
    if affected is not None:
        _specifiers(affected)
        changes["affected"] = _as_written(affected)
    if fixed_in is not None:
        changes["fixed_in"] = str(_version("fixed_in", fixed_in))
    return changes


def _id_changes(cve_ids: Sequence[str] | None, aliases: Sequence[str] | None) -> dict[str, object]:
    changes: dict[str, object] = {}
    if cve_ids is not None:
        changes["cve_ids"] = list(dict.fromkeys(_check_cve(text) for text in cve_ids))
    if aliases is not None:
        changes["aliases"] = list(dict.fromkeys(_check_alias(text) for text in aliases))
    return changes


def _shown(value: object) -> str:
    """A fact as the timeline shows it: a list of ids space-separated ("none" if empty)."""
    if isinstance(value, list):
        return " ".join(value) or "none"
    return str(value)


def disclose(
    ports: Ports,
    actor: str,
    report_id: str,
    when: datetime | None = None,
    *,
    note: str | None = None,
    reply: str | None = None,
) -> ReportRecord:
    """fixed -> disclosed now (no date), or, with a date ahead (its offset explicit, within
    a year), an embargo: the disclosure planned, which the hourly publisher makes then.
    A date in the past is refused. Every way to disclose a report comes here."""
    if when is None:
        return embargo.publish(ports, actor, report_id, ports.clock(), note=note, reply=reply)
    if note is not None or reply is not None:
        _refuse("date", "goes without --note and --reply: they go with a disclosure now")
    return embargo.plan(ports, actor, report_id, when)


def version_range(record: ReportRecord) -> AffectedVersions:
    """`affected` (>=, <, <= bounds) with `fixed_in`; a missing lower bound means "all"."""
    bounds = {spec.operator: spec.version for spec in _specifiers(record.affected or "")}
    fixed = record.fixed_in
    if fixed is not None and (bounds.get("<", fixed) != fixed or "<=" in bounds):
        _refuse("affected", f"with a fix in {fixed}, the upper bound is <{fixed} (or none)")
    if fixed is not None and ">=" in bounds and Version(fixed) <= Version(bounds[">="]):
        _refuse("fixed_in", "must be above the first affected version")
    return AffectedVersions(
        introduced=bounds.get(">="),
        fixed=fixed or bounds.get("<"),
        last_affected=bounds.get("<="),
    )


def describe(versions: AffectedVersions) -> str:
    """The affected range in PEP 440 notation ("*" when every version is affected)."""
    upper = f"<{versions.fixed}" if versions.fixed else None
    if versions.last_affected:
        upper = f"<={versions.last_affected}"
    bounds = [f">={versions.introduced}" if versions.introduced else None, upper]
    return ",".join(bound for bound in bounds if bound) or "*"


def _specifiers(text: str) -> SpecifierSet:
    try:
        specifiers = SpecifierSet(text)
    except InvalidSpecifier:
        _refuse("affected", "must be a version range such as '>=2.0,<2.4.2'")
    operators = [spec.operator for spec in specifiers]
    if any(op not in (">=", "<", "<=") for op in operators) or len(set(operators)) != len(
        operators
    ):
        _refuse("affected", "use at most one lower (>=) and one upper (< or <=) bound")
    if "<" in operators and "<=" in operators:
        _refuse("affected", "use either < or <= as the upper bound")
    for spec in specifiers:
        _version("affected", spec.version)
    return specifiers


def _as_written(text: str) -> str:
    """A checked range in the team's own order (a SpecifierSet's text sorts its bounds),
    each bound spelled as packaging spells it: ">= 2.0, <2.4.2" is ">=2.0,<2.4.2"."""
    return ",".join(str(Specifier(part.strip())) for part in text.split(",") if part.strip())


def _version(field: str, text: str) -> Version:
    try:
        return Version(text.strip())
    except InvalidVersion:
        _refuse(field, "must be a version such as 2.4.2")


def _check_cwe(cwe: str) -> str:
    if not _CWE_ID.match(cwe.strip()):
        _refuse("cwe", "must be a CWE id such as CWE-79")
    return cwe.strip()


def _check_cve(text: str) -> str:
    cve = text.strip().upper()
    if not _CVE_ID.match(cve):
        _refuse("cve", f"{text.strip()!r} is no CVE id: CVE-<year>-<4 or more digits>")
    return cve


def _check_alias(text: str) -> str:
    alias = text.strip()
    if alias.upper().startswith("CVE-"):
        _refuse("alias", f"{alias!r} is a CVE id: give it with --cve")
    if len(alias) > 64 or not _ALIAS.match(alias):
        _refuse("alias", f"{alias[:64]!r} is no advisory id such as GHSA-xxxx-xxxx-xxxx")
    return alias


def _cwe_name(cwe: str, given: str | None) -> str:
    name = (given or "").strip() or CWE_NAMES.get(cwe.strip())
    if not name:
        _refuse("cwe_name", f"{cwe.strip()} is not in the built-in list: give --cwe-name")
    return name


def _refuse(field: str, problem: str) -> NoReturn:
    raise ValidationFailed([FieldProblem(field, problem)], f"{field} {problem}")
