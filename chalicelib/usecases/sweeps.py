"""Scheduled housekeeping: SLA breaches, the notification outbox, orphan blobs.

Every sweep is idempotent and safe to run concurrently: each announcement is leased
with a conditional write first, recorded as done only after SNS took it, and given back
if SNS fails. A sweep that dies in between loses its lease after a few minutes and the
next run announces again: never lost, and only in that rare case announced twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.lifecycle import OPEN
from chalicelib.domain.records import BlobVersion, ReportRecord
from chalicelib.domain.sla import unannounced, with_due_dates
from chalicelib.usecases.notifications import RECEIVED, SLA_BREACHED, announce
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)
# The intake publishes right after its write; the outbox leaves it that long to do so.
OUTBOX_GRACE = timedelta(minutes=2)
# A submission in flight writes its parts before its metadata; a day is far beyond that.
ORPHAN_AGE = timedelta(days=1)
# Longer than any sweep's Lambda run: a live holder is never overtaken.
LEASE = timedelta(minutes=5)
REPORTS_PREFIX = "reports/"


@dataclass(frozen=True)
class Breach:
    report_id: str
    deadline: str
    due: str
    announced: bool  # False: SNS did not take it; the lease is given back for the next run


def sla_sweep(ports: Ports) -> list[Breach]:
    """Announce every breached deadline not announced before (report.sla_breached);
    the breaches this run found, announced or not (another run's are left alone)."""
    today = ports.clock().date()
    found = []
    for status in OPEN:
        for record in ports.reports.by_status(status):
            for deadline, due in unannounced(with_due_dates(record, ports.policy), today).items():
                announced = _announce_breach(ports, record, deadline, due.isoformat())
                if announced is not None:
                    found.append(Breach(record.report_id, deadline, due.isoformat(), announced))
    return found


def outbox_retry(ports: Ports) -> list[str]:
    """Publish report.received for reports whose first notification failed."""
    published = []
    now = ports.clock()
    for record in ports.reports.unnotified(now - OUTBOX_GRACE):
        if not ports.reports.claim_notification(record.report_id, now, now + LEASE):
            continue  # another run holds it
        if announce(ports, RECEIVED, record):
            ports.reports.mark_notified(record.report_id)
            published.append(record.report_id)
        else:
            ports.reports.release_notification(record.report_id)
    return published


def _announce_breach(ports: Ports, record: ReportRecord, deadline: str, due: str) -> bool | None:
    """True when announced, False when SNS failed, None when it was not this run's to do."""
    now = ports.clock()
    if not ports.reports.claim_deadline(record.report_id, deadline, due, now, now + LEASE):
        return None  # announced already, or another sweep holds it
    if not announce(ports, SLA_BREACHED, record, deadline=deadline, due=due):
        ports.reports.release_deadline(record.report_id, deadline)
        return False
    ports.reports.confirm_deadline(record.report_id, deadline, due)
    return True


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
