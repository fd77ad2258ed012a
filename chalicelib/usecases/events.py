"""The table is the outbox: every inserted report or event item becomes one content-free
notification for the team.

A message carries ids, product, severity, status and dates, never anything the reporter
wrote; the attributes `event`, `severity` and `product` let subscribers filter (SNS filter
policies). Delivery is at least once: `event_id` is the same for every delivery of one
item, so a subscriber can drop a repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.report.records import Inserted, ReportEvent, ReportRecord, TableChange
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)

RECEIVED = "report.received"
MESSAGE_RECEIVED = "report.message_received"
STATUS_CHANGED = "report.status_changed"
REPLIED = "report.replied"
SLA_BREACHED = "report.sla_breached"
UPDATED = "report.updated"  # any other history entry: a note, an assignment, a reading...
_BY_KIND = {
    "status": STATUS_CHANGED,
    "message": MESSAGE_RECEIVED,
    "reply": REPLIED,
    "sla_breached": SLA_BREACHED,
}


@dataclass(frozen=True)
class Notification:
    message: dict[str, str]
    attributes: dict[str, str]


def publish_changes(changes: Sequence[TableChange], ports: Ports) -> list[str]:
    """Notify the team of each inserted item, and mail the reporter where it is news for
    them, in stream order. On the first failure, stop and return its sequence number: the
    stream hands it (and what follows) over again; a mail already sent is not sent twice."""
    from chalicelib.usecases.mail.outbound import mail_reporter

    for change in changes:
        if not change.inserted:
            continue
        try:
            inserted = read_item(change.item, ports)
            if inserted is not None:
                notification = notification_for(inserted)
                ports.notifier.publish(notification.message, notification.attributes)
                mail_reporter(inserted, ports)
        except Unavailable as exc:
            log.warning("notification not delivered; retried", extra={"service": exc.service})
            return [change.sequence]
        except Exception:  # an item we cannot read, a bug of ours: retried, then parked
            log.error("notification not delivered; retried", exc_info=True)
            return [change.sequence]
    return []


def read_item(item: Mapping[str, Any], ports: Ports) -> Inserted | None:
    """An inserted item as the outbox reads it; None for housekeeping items (rate windows,
    idempotency records, mail claims) and for events of a report deleted since."""
    partition, sort = str(item.get("PK", "")), str(item.get("SK", ""))
    if not partition.startswith("REPORT#"):
        return None
    report_id = partition.removeprefix("REPORT#")
    if sort == "META":
        return Inserted(f"{report_id}/received", ReportRecord.model_validate(item))
    if not sort.startswith("EVENT#"):
        return None
    event = ReportEvent.model_validate(item)
    current = ports.reports.get(report_id)  # for the product and severity it names
    if current is None:
        return None
    return Inserted(f"{report_id}/{event.event_id}", current, event)


def notification_for(inserted: Inserted) -> Notification:
    """The team's content-free message about an inserted item."""
    event = inserted.event
    name = RECEIVED if event is None else _BY_KIND.get(event.kind, UPDATED)
    details = {} if event is None else _details(name, event)
    return _notification(name, inserted.event_id, inserted.record, details)


def _details(name: str, event: ReportEvent) -> dict[str, str]:
    """Content-free facts of the event itself: a status, a deadline's name, a date."""
    if name == STATUS_CHANGED and event.status:
        return {"status": event.status, **({"previous": event.previous} if event.previous else {})}
    if name == SLA_BREACHED and event.deadline and event.due:
        return {"deadline": event.deadline, "due": event.due.isoformat()}
    if name == UPDATED:
        return {"change": event.kind}
    return {}


def _notification(
    name: str, event_id: str, record: ReportRecord, details: dict[str, str]
) -> Notification:
    message = {
        "event": name,
        "event_id": event_id,
        "report_id": record.report_id,
        "product": record.product,
        "severity": record.severity,
        "status": record.status,
        "acknowledge_by": record.acknowledge_by.isoformat(),
        **details,
    }
    attributes = {"event": name, "severity": record.severity, "product": record.product}
    return Notification(message, attributes)
