"""The report status machine: which moves a team may make, and reopening.

    received -> acknowledged -> triaged -> accepted -> fixing -> fixed -> disclosed

Before a fix ships, a report may instead close as duplicate (of another report),
informative, not_applicable, out_of_scope, spam or withdrawn. Closed reports can be
reopened to triaged; a fix that did not hold goes from fixed (or disclosed) back to fixing.
"""

from __future__ import annotations

from typing import Literal

from chalicelib.domain.errors import Conflict, FieldProblem, ValidationFailed
from chalicelib.domain.receipts import is_report_id

Status = Literal[
    "received", "acknowledged", "triaged", "accepted", "fixing", "fixed", "disclosed",
    "duplicate", "informative", "not_applicable", "out_of_scope", "spam", "withdrawn",
]  # fmt: skip
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
TERMINAL = frozenset(
    {"duplicate", "informative", "not_applicable", "out_of_scope", "spam", "withdrawn"}
)
ALLOWED: dict[str, frozenset[str]] = {
    "received": frozenset({"acknowledged", "triaged"}) | TERMINAL,
    "acknowledged": frozenset({"triaged"}) | TERMINAL,
    "triaged": frozenset({"accepted"}) | TERMINAL,
    "accepted": frozenset({"fixing", "fixed", "triaged"}) | TERMINAL,
    "fixing": frozenset({"fixed", "accepted"}) | TERMINAL - {"spam"},
    "fixed": frozenset({"disclosed", "fixing"}),
    "disclosed": frozenset({"fixing"}),
    **{closed: frozenset({"triaged"}) for closed in TERMINAL},
}
# Statuses whose clocks still run (the SLA sweep and `list --overdue` look only here).
OPEN = tuple(status for status in STATUSES if status not in TERMINAL and status != "disclosed")


def allowed_from(current: str) -> list[str]:
    """The statuses reachable from `current`, in lifecycle order."""
    return [status for status in STATUSES if status in ALLOWED[current]]


def check_transition(
    report_id: str, current: str, new: str, duplicate_of: str | None = None
) -> None:
    """Refuse an unknown status, an illegal move, or a duplicate without its original."""
    if new not in STATUSES:
        raise ValidationFailed(
            [FieldProblem("status", f"must be one of: {', '.join(STATUSES)}")],
            f"unknown status {new!r}",
        )
    if new not in ALLOWED[current]:
        choices = ", ".join(allowed_from(current))
        raise Conflict(f"{report_id} cannot move from {current} to {new}; allowed: {choices}")
    _check_original(report_id, new, duplicate_of)


def _check_original(report_id: str, new: str, duplicate_of: str | None) -> None:
    if new == "duplicate" and not duplicate_of:
        problem = "a duplicate names its original (--duplicate-of)"
    elif new != "duplicate" and duplicate_of:
        problem = "--duplicate-of only goes with the status duplicate"
    elif duplicate_of and (not is_report_id(duplicate_of) or duplicate_of == report_id):
        problem = "the original must be another report id (VDP-XXXX-XXXX)"
    else:
        return
    raise ValidationFailed([FieldProblem("duplicate_of", problem)], problem)
