"""Retention: reports past the policy's retention of their final status are purged.

A report is kept `policy.retention.days[status]` days from the moment it entered that
status, and at least `policy.retention.grace_days` after the reporter last wrote a
follow-up. Purging first tombstones the metadata (`purging`, rev + 1: a team change
made meanwhile conflicts, and the reporter's receipt no longer opens it), checks the
history once more, then deletes every version of its S3 parts, its event items and
last its metadata, so a purge cut short is found and finished by the next run.
Candidates come from the status index, one Query per status: never a table Scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import Conflict
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expired:
    report_id: str
    status: str
    since: datetime  # when the report entered `status`
    due: datetime  # when it became purgeable (retention, or grace after reporter activity)
    rev: int


def expired(ports: Ports) -> list[Expired]:
    """Every report whose retention (and grace period) has run out, oldest first."""
    now = ports.clock()
    found = []
    for status, days in ports.policy.retention.days.items():
        for record in ports.reports.by_status(status):
            candidate = _assess(ports, record, timedelta(days=days))
            if candidate.due <= now:
                found.append(candidate)
    return sorted(found, key=lambda item: item.due)


def purge(ports: Ports, *, dry_run: bool = False) -> list[Expired]:
    """Delete the expired reports (or only list them); returns those purged (or due)."""
    due = expired(ports)
    if dry_run:
        return due
    purged = []
    for item in due:
        try:
            purge_report(ports, item)
        except Conflict:
            log.info("report changed during purge; kept", extra={"report_id": item.report_id})
            continue
        log.info("report purged", extra={"report_id": item.report_id, "status": item.status})
        purged.append(item)
    return purged


def purge_report(ports: Ports, item: Expired) -> None:
    """Tombstone, re-check, then S3 versions, events and metadata; Conflict if it changed."""
    current = ports.reports.get(item.report_id)
    if current is None:
        return
    if not current.purging:
        ports.reports.mark_purging(item.report_id, item.rev)
    rev = current.rev if current.purging else item.rev + 1
    fresh = _assess(ports, current, timedelta(days=ports.policy.retention.days[item.status]))
    if fresh.due > ports.clock():  # a follow-up arrived after the assessment
        ports.reports.update(
            current.model_copy(update={"rev": rev, "purging": True}),
            current.model_copy(update={"rev": rev + 1, "purging": False}),
            [],
        )
        raise Conflict(f"{item.report_id} has recent reporter activity")
    ports.blobs.delete_versions(list(ports.blobs.versions(f"reports/{item.report_id}/")))
    ports.reports.delete_report(item.report_id, rev)


def _assess(ports: Ports, record: ReportRecord, keep: timedelta) -> Expired:
    events = ports.reports.events(record.report_id)
    since = _entered(record, events)
    due = since + keep
    messages = [event.at for event in events if event.kind == "message"]
    if messages:
        due = max(due, max(messages) + timedelta(days=ports.policy.retention.grace_days))
    return Expired(record.report_id, record.status, since, due, record.rev)


def _entered(record: ReportRecord, events: list[ReportEvent]) -> datetime:
    """The last move into the current status; `updated_at` if the history has none."""
    moves = [e.at for e in events if e.kind == "status" and e.status == record.status]
    return max(moves) if moves else record.updated_at
