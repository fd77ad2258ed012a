"""The public facts of an advisory (CWE, affected and fixed versions, disclosure date).

They live on the report's metadata row: none of them is reporter content. Versions
are PEP 440 (the `packaging` library), as the policy's supported-version ranges are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.records import ReportEvent, ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team.triage import change_status, get_report

_CWE_ID = re.compile(r"^CWE-[1-9]\d{0,5}$")
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
) -> ReportRecord:
    """Record the advisory facts given (others keep their value); saved only if unchanged.
    With none given, nothing is written and the report's facts are returned as they are."""
    record = get_report(ports, report_id)
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
    if not changes:
        return record
    updated = record.model_copy(update=changes)
    version_range(updated)  # the combination must make sense too
    now = ports.clock()
    after = updated.model_copy(update={"updated_at": now, "rev": record.rev + 1})
    facts = ", ".join(f"{name}={value}" for name, value in changes.items() if name != "cwe_name")
    event = ReportEvent(at=now, kind="advisory", public=False, actor=actor, detail=facts)
    ports.reports.update(record, after, [event])
    return after


def disclose(
    ports: Ports,
    actor: str,
    report_id: str,
    when: datetime | None = None,
    *,
    note: str | None = None,
    reply: str | None = None,
) -> ReportRecord:
    """fixed -> disclosed through the lifecycle, on a date with its explicit offset, or
    now when none is given (a planned date may lie ahead; none may come before the report
    was received). Every way to disclose a report comes here: one rule for the date."""
    when = ports.clock() if when is None else when
    if when.tzinfo is None or when.utcoffset() is None:
        _refuse_date("needs a time zone: an offset such as +01:00, or Z for UTC")
    if when < get_report(ports, report_id).created_at:
        _refuse_date("is before the report was received")
    return change_status(
        ports, actor, report_id, "disclosed", note=note, reply=reply, disclosed_at=when
    )


def _refuse_date(problem: str) -> NoReturn:
    raise ValidationFailed([FieldProblem("date", problem)], f"date {problem}")


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


def _cwe_name(cwe: str, given: str | None) -> str:
    name = (given or "").strip() or CWE_NAMES.get(cwe.strip())
    if not name:
        _refuse("cwe_name", f"{cwe.strip()} is not in the built-in list: give --cwe-name")
    return name


def _refuse(field: str, problem: str) -> NoReturn:
    raise ValidationFailed([FieldProblem(field, problem)], f"{field} {problem}")
