"""Embargoes: plan, move or cancel a fixed report's disclosure, and publish those due.

Each change is one write, conditional on the report's rev, with its event in the history;
the stream then notifies the team and mails the reporter (the date, never content).
Publishing is the disclosure the team makes by hand (`change_status` to disclosed, dated
on the planned date): the same status event, the same mail, the advisory final. A credit
the reporter consented to is sealed when the embargo is planned (the team may open the
report; the publisher may not) and published right after the disclosure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import Conflict, NotFound, Unavailable
from chalicelib.domain.lifecycle import check_transition
from chalicelib.domain.report import embargo
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.triage import change_status, get_report

log = logging.getLogger(__name__)
PUBLISHER = "embargo publisher"  # who the history says disclosed a report on its date


@dataclass(frozen=True)
class Planned:
    """A planned disclosure, and why the credit will not be published with it (None: it
    will be, or the choice was not read again)."""

    record: ReportRecord
    credit_refusal: str | None = None


def plan(ports: Ports, actor: str, report_id: str, when: datetime) -> ReportRecord:
    """Plan a fixed report's disclosure for `when`, or move the one planned."""
    return plan_disclosure(ports, actor, report_id, when).record


def plan_disclosure(ports: Ports, actor: str, report_id: str, when: datetime) -> Planned:
    """Plan or move the disclosure (the same date and offset again writes nothing); a
    consented credit not yet marked is sealed now, to be published with it."""
    record = get_report(ports, report_id)
    check_transition(report_id, record.status, "disclosed")  # only what could be disclosed
    embargo.check_date(when, ports.clock())
    current = record.disclosure_planned
    if current == when and current is not None and current.utcoffset() == when.utcoffset():
        return Planned(record)
    kind: embargo.Change = embargo.SCHEDULED if current is None else embargo.MOVED
    refusal = None
    if not record.credit_at_disclosure:
        refusal = credits.seal_for_disclosure(ports, report_id, actor).refusal
    return Planned(_change(ports, actor, record, when, kind, credit=refusal is None), refusal)


def cancel(ports: Ports, actor: str, report_id: str) -> ReportRecord:
    """Cancel the planned disclosure; the report keeps its status."""
    record = get_report(ports, report_id)
    if record.disclosure_planned is None:
        raise Conflict(f"{report_id} has no planned disclosure to cancel")
    return _change(ports, actor, record, None, embargo.CANCELLED, credit=False)


def _change(
    ports: Ports,
    actor: str,
    record: ReportRecord,
    when: datetime | None,
    kind: embargo.Change,
    *,
    credit: bool,
) -> ReportRecord:
    now = ports.clock()
    named = when or record.disclosure_planned  # a cancellation names the date it drops
    changes = {"disclosure_planned": when, "credit_at_disclosure": credit}
    after = record.model_copy(update={**changes, "updated_at": now, "rev": record.rev + 1})
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
    dropped = {"disclosure_planned": None, "credit_at_disclosure": False}
    after = disclosed.model_copy(update={**dropped, "rev": disclosed.rev + 1})
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
        disclosed = publish(ports, PUBLISHER, report_id, when)
    except Conflict:  # changed since it was read: the next run looks again
        log.info("embargo left to the next run", extra={"report_id": report_id})
        return False
    log.info("embargo published", extra={"report_id": report_id})
    if current is not None and current.credit_at_disclosure:
        _publish_credit(ports, disclosed)
    return True


def _publish_credit(ports: Ports, disclosed: ReportRecord) -> None:
    """The sealed credit, after the disclosure it waited for. If this write fails, the
    disclosure stands and the team publishes the credit by hand."""
    try:
        credits.publish_sealed(ports, disclosed, PUBLISHER)
    except (Conflict, NotFound, Unavailable):
        log.warning("credit left to the team", extra={"report_id": disclosed.report_id})
        return
    log.info("credit published", extra={"report_id": disclosed.report_id})
