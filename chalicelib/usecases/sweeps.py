"""Scheduled housekeeping: SLA breaches and orphan blobs.

Every sweep is idempotent and safe to run concurrently. A breach is recorded once, by one
conditional transaction (the due date on the report and an event in its history); the
event's insert then notifies the team through the table's stream.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.report.records import BlobVersion, ReportEvent, ReportRecord
from chalicelib.domain.report.sla import unannounced, with_due_dates
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)
# A submission in flight writes its parts before its metadata; a day is far beyond that.
ORPHAN_AGE = timedelta(days=1)
REPORTS_PREFIX = "reports/"


@dataclass(frozen=True)
class Breach:
    report_id: str
    deadline: str
    due: str


def sla_sweep(ports: Ports) -> list[Breach]:
    """Record every breached deadline not recorded before (each becomes one
    report.sla_breached); the breaches this run recorded (another run's are left alone)."""
    today = ports.clock().date()
    found = []
    for status in OPEN:
        for record in ports.reports.by_status(status):
            for deadline, due in unannounced(with_due_dates(record, ports.policy), today).items():
                if _record_breach(ports, record, deadline, due):
                    found.append(Breach(record.report_id, deadline, due.isoformat()))
    return found


def _record_breach(ports: Ports, record: ReportRecord, deadline: str, due: date) -> bool:
    """True when this run recorded the breach; False when it was recorded before."""
    event = ReportEvent(
        at=ports.clock(), kind="sla_breached", public=False, deadline=deadline, due=due
    )
    return ports.reports.record_breach(record.report_id, deadline, due.isoformat(), event)


def orphan_sweep(ports: Ports) -> list[str]:
    """Delete every version of blobs whose report has no metadata and is over a day old."""
    cutoff = ports.clock() - ORPHAN_AGE
    removed = []
    for report_id, versions in _by_report(ports.blobs.versions(REPORTS_PREFIX)).items():
        if max(v.modified for v in versions) >= cutoff:
            continue  # possibly a submission in flight
        if ports.reports.get(report_id) is not None:
            continue
        ports.blobs.delete_versions(versions)
        log.info("orphan blobs removed", extra={"report_id": report_id, "count": len(versions)})
        removed.append(report_id)
    return removed


def _by_report(versions: Iterator[BlobVersion]) -> dict[str, list[BlobVersion]]:
    # Keys are reports/<id>/...; anything else under the prefix is not ours to judge.
    grouped: dict[str, list[BlobVersion]] = {}
    for version in versions:
        segments = version.key.split("/")
        if len(segments) >= 3 and segments[1]:
            grouped.setdefault(segments[1], []).append(version)
    return grouped
