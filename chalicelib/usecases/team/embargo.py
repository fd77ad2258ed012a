"""Embargoes: plan, move or cancel a fixed report's disclosure, and publish those due.

Each change is one write, conditional on the report's rev, with its event in the history;
the stream then notifies the team and mails the reporter (the date, never content).
Publishing is the disclosure the team makes by hand (`change_status` to disclosed, dated
on the planned date): the same status event, the same mail, the advisory final.
"""

from __future__ import annotations

import logging
from datetime import datetime

from chalicelib.domain import embargo
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.lifecycle import check_transition
from chalicelib.domain.records import ReportEvent, ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team.triage import change_status, get_report

log = logging.getLogger(__name__)
PUBLISHER = "embargo publisher"  # who the history says disclosed a report on its date


def plan(ports: Ports, actor: str, report_id: str, when: datetime) -> ReportRecord:
    """Plan a fixed report's disclosure for `when`, or move the one planned (the same
    date and offset again writes nothing)."""
    record = get_report(ports, report_id)
    check_transition(report_id, record.status, "disclosed")  # only what could be disclosed
    embargo.check_date(when, ports.clock())
    current = record.disclosure_planned
    if current == when and current is not None and current.utcoffset() == when.utcoffset():
        return record
    kind: embargo.Change = embargo.SCHEDULED if current is None else embargo.MOVED
    return _change(ports, actor, record, when, kind)


def cancel(ports: Ports, actor: str, report_id: str) -> ReportRecord:
    """Cancel the planned disclosure; the report keeps its status."""
    record = get_report(ports, report_id)
    if record.disclosure_planned is None:
        raise Conflict(f"{report_id} has no planned disclosure to cancel")
    return _change(ports, actor, record, None, embargo.CANCELLED)


def _change(
    ports: Ports, actor: str, record: ReportRecord, when: datetime | None, kind: embargo.Change
) -> ReportRecord:
    now = ports.clock()
    named = when or record.disclosure_planned  # a cancellation names the date it drops
    after = record.model_copy(
        update={"disclosure_planned": when, "updated_at": now, "rev": record.rev + 1}
    )
    detail = named.isoformat() if named else None
    event = ReportEvent(at=now, kind=kind, public=True, actor=actor, planned=named, detail=detail)
    ports.reports.update(record, after, [event])
    return after


def publish(
    ports: Ports,
    actor: str,
    report_id: str,
    when: datetime,
    *,
    note: str | None = None,
    reply: str | None = None,
) -> ReportRecord:
    """fixed -> disclosed on `when`, through the lifecycle, the planned date dropped."""
    after = change_status(
        ports, actor, report_id, "disclosed", note=note, reply=reply, disclosed_at=when
    )
    if after.disclosure_planned is None:
        return after
    return _drop_plan(ports, after)


def _drop_plan(ports: Ports, disclosed: ReportRecord) -> ReportRecord:
    """A disclosed report plans nothing. A second write: if it fails, the date stays
    behind, inert (only a fixed report's date is planned), and the disclosure stands."""
    after = disclosed.model_copy(update={"disclosure_planned": None, "rev": disclosed.rev + 1})
    try:
        ports.reports.update(disclosed, after, [])
    except (Conflict, Unavailable):
        log.warning("planned date kept after disclosure", extra={"report_id": after.report_id})
        return disclosed
    return after


def planned(ports: Ports) -> list[ReportRecord]:
    """The fixed reports with a planned disclosure, soonest first."""
    found = [r for r in ports.reports.by_status(embargo.EMBARGOED) if r.disclosure_planned]
    return sorted(found, key=lambda record: (record.disclosure_planned, record.report_id))


def publish_due(ports: Ports) -> list[str]:
    """Disclose every fixed report whose planned date has passed; the ids this run
    disclosed (one that another run or the team changed first is left alone)."""
    now = ports.clock()
    return [
        record.report_id
        for record in ports.reports.by_status(embargo.EMBARGOED)
        if embargo.due(record, now) and _publish_due(ports, record.report_id, now)
    ]


def _publish_due(ports: Ports, report_id: str, now: datetime) -> bool:
    current = ports.reports.get(report_id)  # the status index may lag behind the report
    when = embargo.due(current, now) if current is not None else None
    if when is None:
        return False
    try:
        publish(ports, PUBLISHER, report_id, when)
    except Conflict:  # changed since it was read: the next run looks again
        log.info("embargo left to the next run", extra={"report_id": report_id})
        return False
    log.info("embargo published", extra={"report_id": report_id})
    return True
