"""The security team's read-back: the queue, a decrypted report, its timeline. No boto3."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain.crypto import SealedBlobError
from chalicelib.domain.errors import FieldProblem, Tampered, ValidationFailed
from chalicelib.domain.lifecycle import OPEN, STATUSES
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.models import Severity
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.domain.report.sla import breached, with_due_dates
from chalicelib.usecases import parts
from chalicelib.usecases.events import (
    MESSAGE_RECEIVED,
    RECEIVED,
    REPLIED,
    SLA_BREACHED,
    STATUS_CHANGED,
    UPDATED,
)
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team.triage import get_report, record_reading

# The events a subscription may filter on (see filter_policy).
EVENTS = (RECEIVED, MESSAGE_RECEIVED, STATUS_CHANGED, REPLIED, SLA_BREACHED, UPDATED)
# Which key each kind of text was sealed under (the part is the KMS encryption context).
_TEXT_PARTS = {"message": parts.MESSAGE, "reply": parts.REPLY, "note": parts.NOTE}


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DecryptedText:
    at: datetime
    kind: str  # message (the reporter's follow-up), reply or note
    actor: str | None
    text: str


@dataclass(frozen=True)
class DecryptedReport:
    record: ReportRecord
    content: dict[str, Any]
    attachments: list[AttachmentFile] = field(default_factory=list)
    messages: list[DecryptedText] = field(default_factory=list)


def list_reports(
    ports: Ports,
    statuses: list[str] | None = None,
    product: str | None = None,
    overdue: bool = False,
) -> Iterator[ReportRecord]:
    """Reports by status through the status index (never a table scan)."""
    unknown = sorted(set(statuses or ()) - set(STATUSES))
    if unknown:
        problem = f"unknown status {', '.join(unknown)}; one of: {', '.join(STATUSES)}"
        raise ValidationFailed([FieldProblem("status", problem)], problem)
    today = ports.clock().date()
    for status in statuses or (OPEN if overdue else STATUSES):
        for record in ports.reports.by_status(status):
            if product and record.product != product:
                continue
            if overdue and not overdue_deadlines(record, ports, today):
                continue
            yield record


def overdue_deadlines(record: ReportRecord, ports: Ports, today: date) -> dict[str, date]:
    """Breached deadlines, with due dates derived from the policy where not yet stored."""
    return breached(with_due_dates(record, ports.policy), today)


def timeline(ports: Ports, report_id: str) -> list[ReportEvent]:
    """Every event of a report, oldest first, with its actor (the team's view)."""
    get_report(ports, report_id)
    return ports.reports.events(report_id)


def show_report(ports: Ports, report_id: str, actor: str | None = None) -> DecryptedReport:
    """Decrypt the report, attachments and messages (needs the team's kms:Decrypt).

    With an `actor`, the decryption is recorded in the report's history first: nobody
    reads a report without leaving a trace.
    """
    record = get_report(ports, report_id)
    if actor is not None:
        record_reading(ports, report_id, actor)
    try:
        return _decrypted(ports, record)
    except SealedBlobError as exc:  # changed at rest, or copied from another report or part
        raise Tampered(
            f"{record.report_id}: a stored part failed its integrity check ({exc})"
        ) from None


def _decrypted(ports: Ports, record: ReportRecord) -> DecryptedReport:
    report_id = record.report_id
    content = parts.load_report_content(ports, report_id)
    attachments = []
    for index in range(record.attachment_count):
        packed = parts.load(
            ports, report_id, parts.attachment_part(index), parts.attachment_key(report_id, index)
        )
        attachments.append(AttachmentFile(*parts.unpack_file(packed)))
    messages = [
        DecryptedText(event.at, event.kind, event.actor, _open_text(ports, report_id, event))
        for event in ports.reports.events(report_id)
        if event.kind in _TEXT_PARTS and event.part
    ]
    return DecryptedReport(record, content, attachments, messages)


def _open_text(ports: Ports, report_id: str, event: ReportEvent) -> str:
    assert event.part is not None  # noqa: S101 - filtered by the caller
    return parts.load_text(ports, report_id, _TEXT_PARTS[event.kind], event.part, event.event_id)


def filter_policy(
    policy: Policy, events: list[str], severities: list[str], products: list[str]
) -> dict[str, list[str]]:
    """An SNS filter policy on the message attributes; an empty list means any value."""
    allowed = {
        "event": list(EVENTS),
        "severity": list(Severity.__args__),  # type: ignore[attr-defined]
        "product": policy.product_ids(),
    }
    chosen = {"event": events, "severity": severities, "product": products}
    for name, values in chosen.items():
        unknown = sorted(set(values) - set(allowed[name]))
        if unknown:
            problem = f"unknown {name} {', '.join(unknown)}; one of: {', '.join(allowed[name])}"
            raise ValidationFailed([FieldProblem(name, problem)], problem)
    return {name: sorted(set(values)) for name, values in chosen.items() if values}
