"""The status machine: forward moves, closing, reopening, and refusals that explain."""

import pytest

from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.lifecycle import (
    ALLOWED,
    OPEN,
    STATUSES,
    TERMINAL,
    allowed_from,
    check_transition,
)

ID = "VDP-7K3M-9QX2"


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("received", "acknowledged"),
        ("acknowledged", "triaged"),
        ("triaged", "accepted"),
        ("accepted", "fixing"),
        ("fixing", "fixed"),
        ("fixed", "disclosed"),
        ("received", "spam"),
        ("triaged", "out_of_scope"),
        ("duplicate", "triaged"),
        ("withdrawn", "triaged"),
        ("fixed", "fixing"),
        ("disclosed", "fixing"),
    ],
)
def test_moves_a_team_expects_are_allowed(current: str, new: str) -> None:
    check_transition(ID, current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("received", "fixed"),
        ("received", "disclosed"),
        ("acknowledged", "received"),
        ("fixed", "spam"),
        ("spam", "fixed"),
        ("disclosed", "received"),
        ("triaged", "triaged"),
    ],
)
def test_illegal_moves_name_the_allowed_ones(current: str, new: str) -> None:
    with pytest.raises(Conflict) as refused:
        check_transition(ID, current, new)

    assert f"cannot move from {current} to {new}" in refused.value.message
    assert ", ".join(allowed_from(current)) in refused.value.message


def test_every_status_has_a_way_out_except_by_design() -> None:
    assert set(ALLOWED) == set(STATUSES)
    assert all(ALLOWED[status] for status in STATUSES)
    assert all(ALLOWED[closed] == {"triaged"} for closed in TERMINAL)
    assert "disclosed" not in OPEN and not TERMINAL & set(OPEN)


def test_duplicate_needs_another_report_as_original() -> None:
    check_transition(ID, "triaged", "duplicate", duplicate_of="VDP-0000-0001")

    for original in (None, ID, "not-an-id"):
        with pytest.raises(ValidationFailed):
            check_transition(ID, "triaged", "duplicate", duplicate_of=original)
    with pytest.raises(ValidationFailed):
        check_transition(ID, "triaged", "accepted", duplicate_of="VDP-0000-0001")


def test_unknown_status_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed, match="unknown status"):
        check_transition(ID, "received", "resolved")
