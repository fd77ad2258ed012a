"""Embargoes: a fixed report's disclosure planned for a date ahead.

The lifecycle discloses only fixed reports, so an embargo belongs to a fixed report: one
moved back to fixing keeps its date but holds it (not shown, not published) until it is
fixed again. A date is an ISO 8601 time with its offset, ahead of now and within a year.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, Literal, NoReturn

from chalicelib.domain.errors import FieldProblem, ValidationFailed
from chalicelib.domain.report.records import ReportRecord

# The history's event kinds, one per change the team makes (publishing is the status change).
Change = Literal["embargo_scheduled", "embargo_moved", "embargo_cancelled"]
SCHEDULED: Final = "embargo_scheduled"
MOVED: Final = "embargo_moved"
CANCELLED: Final = "embargo_cancelled"
EMBARGOED = "fixed"
# Embargoes run for weeks or months; a date further ahead is more likely a typo than a plan.
HORIZON = timedelta(days=365)


def planned(record: ReportRecord) -> datetime | None:
    """The disclosure this report waits for: its planned date while it is fixed."""
    return record.disclosure_planned if record.status == EMBARGOED else None


def due(record: ReportRecord, now: datetime) -> datetime | None:
    """The report's planned date once it has come (None before, or with none planned)."""
    when = planned(record)
    return when if when is not None and when <= now else None


def check_date(when: datetime, now: datetime) -> None:
    """A planned date: with its offset, after `now` and at most HORIZON after it."""
    if when.tzinfo is None or when.utcoffset() is None:
        refuse_date("needs a time zone: an offset such as +01:00, or Z for UTC")
    if when <= now:
        refuse_date("is in the past: leave --date out to disclose now")
    if when > now + HORIZON:
        refuse_date(f"is more than {HORIZON.days} days ahead: plan a nearer date")


def refuse_date(problem: str) -> NoReturn:
    raise ValidationFailed([FieldProblem("date", problem)], f"date {problem}")
