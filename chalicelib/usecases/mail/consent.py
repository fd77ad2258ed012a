"""A reporter's say over mail: one-click unsubscribe from a report's mail, and the
bounces and complaints SES reports, which stop all mail to that address."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.receipts import is_report_id, normalized_report_id
from chalicelib.domain.report.records import ReportEvent
from chalicelib.domain.unsubscribe import valid_unsubscribe
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)


def unsubscribe(report_id: str, token: str, ports: Ports) -> str:
    """Stop mail about one report. A wrong token and an unknown report are the same
    NotFound; unsubscribing twice is no error. The report id."""
    report_id = normalized_report_id(report_id)
    secret = ports.secret() if ports.secret else None
    if secret is None or not is_report_id(report_id):
        raise NotFound()
    if not valid_unsubscribe(secret, report_id, token):
        raise NotFound()
    record = ports.reports.get(report_id)
    if record is None:
        raise NotFound()
    if not record.mail_opt_out:
        now = ports.clock()
        after = record.model_copy(update={"mail_opt_out": True, "rev": record.rev + 1})
        event = ReportEvent(at=now, kind="unsubscribed", public=False, actor="reporter")
        ports.reports.update(record, after, [event])
    return report_id


def record_feedback(notification: Mapping[str, Any], ports: Ports) -> list[str]:
    """Suppress every address a permanent bounce or a complaint names (SES's notification
    or event-publishing format); the kinds of feedback acted on."""
    if ports.mail_log is None:
        return []
    kind = str(notification.get("notificationType") or notification.get("eventType") or "")
    addresses: list[str] = []
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") == "Permanent":
            addresses = [r.get("emailAddress", "") for r in bounce.get("bouncedRecipients", [])]
    elif kind == "Complaint":
        complaint = notification.get("complaint") or {}
        addresses = [r.get("emailAddress", "") for r in complaint.get("complainedRecipients", [])]
    for address in filter(None, addresses):
        ports.mail_log.suppress(str(address), kind.lower())
    if addresses:
        log.info("mail feedback: addresses suppressed", extra={"count": len(addresses)})
    return [kind] if addresses else []
