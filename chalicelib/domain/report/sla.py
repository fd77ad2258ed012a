"""The policy's SLA clocks: due dates on a report, which are running, which are breached.

Every clock starts when the report was received, so re-scoring or re-assigning a report
never moves a promise. A due date is the last day allowed: breached the day after.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain.policy.calendar import add_business_days
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.records import ReportRecord

ACKNOWLEDGE, TRIAGE, FIX, DISCLOSE = "acknowledge", "triage", "fix", "disclose"
# Which statuses keep each clock running (a later status means the promise was kept).
_RUNNING = {
    ACKNOWLEDGE: ("received",),
    TRIAGE: ("received", "acknowledged"),
    FIX: ("triaged", "accepted", "fixing"),
    DISCLOSE: ("received", "acknowledged", "triaged", "accepted", "fixing", "fixed"),
}


def with_due_dates(record: ReportRecord, policy: Policy) -> ReportRecord:
    """Fill in the due dates that are known: triage and disclosure always, fix once rated."""
    received = record.created_at.date()
    # A rating of none or unknown has no fix deadline, even after a higher one had.
    fix_by = fix_due(policy, received, record.cvss_rating) if record.cvss_rating else record.fix_by
    return record.model_copy(
        update={
            "triage_by": record.triage_by
            or add_business_days(
                received, policy.sla.triage_business_days, policy.holidays_country
            ),
            "disclose_by": record.disclose_by
            or received + timedelta(days=policy.sla.disclosure_days),
            "fix_by": fix_by,
        }
    )


def fix_due(policy: Policy, received: date, rating: str | None) -> date | None:
    """Calendar days by the team's rating; none for `none`/`unknown` ratings."""
    days = getattr(policy.sla.fix_days, rating, None) if rating else None
    return received + timedelta(days=days) if isinstance(days, int) else None


def running(record: ReportRecord) -> dict[str, date]:
    """The deadlines whose clocks still run for this report's status."""
    dues = {
        ACKNOWLEDGE: record.acknowledge_by,
        TRIAGE: record.triage_by,
        FIX: record.fix_by,
        DISCLOSE: record.disclose_by,
    }
    return {
        name: due
        for name, due in dues.items()
        if due is not None and record.status in _RUNNING[name]
    }


def breached(record: ReportRecord, today: date) -> dict[str, date]:
    """Running deadlines that passed before `today`."""
    return {name: due for name, due in running(record).items() if due < today}


def unannounced(record: ReportRecord, today: date) -> dict[str, date]:
    """Breaches not yet announced for this due date (a moved due date is a new breach)."""
    return {
        name: due
        for name, due in breached(record, today).items()
        if record.sla_announced.get(name) != due.isoformat()
    }
