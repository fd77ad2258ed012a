"""A receipt holder's side of their report: its status and history, and follow-ups."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.errors import AlreadyExists, NotFound, ValidationFailed
from chalicelib.domain.receipts import normalized_report_id
from chalicelib.domain.report import embargo, sla
from chalicelib.domain.report.models import FollowUp
from chalicelib.domain.report.records import Decoy, ReportEvent, ReportRecord
from chalicelib.domain.report.views import HistoryEntry, MessageAccepted, NextPromise, ReporterView
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter import abuse
from chalicelib.usecases.reporter.holder import decoy_view, receipt_holder
from chalicelib.usecases.reporter.wording import field_problems


def reporter_status(
    report_id: str, receipt: str, ports: Ports, address: str | None = None
) -> ReporterView:
    """The reporter's view; any mismatch is the same NotFound (no oracle, see holder.py)."""
    record = receipt_holder(report_id, receipt, ports, address)
    if isinstance(record, Decoy):
        return decoy_view(record)
    report_id = record.report_id
    history = [HistoryEntry(at=record.created_at, type="status", status="received")]
    history += [
        entry
        for event in ports.reports.events(report_id)
        if (entry := _public(event, report_id, receipt, ports))
    ]
    return ReporterView(
        report_id=record.report_id,
        status=record.status,
        created_at=record.created_at,
        acknowledge_by=record.acknowledge_by,
        next_promise=next_promise(record, ports),
        disclosure_planned=_planned_day(record),
        # Public only once disclosed: before that, a CVE id would announce the issue.
        cve_ids=record.cve_ids if record.status == "disclosed" else [],
        aliases=record.aliases if record.status == "disclosed" else [],
        history=history,
    )


def next_promise(record: ReportRecord, ports: Ports) -> NextPromise | None:
    """The first of the policy's public promises whose clock still runs for this status
    (a kept promise gives way to the next one); a planned disclosure dates the last one."""
    if planned := embargo.planned(record):
        return NextPromise(promise="disclose", by=planned.date())
    running = sla.running(sla.with_due_dates(record, ports.policy))
    for promise in (sla.ACKNOWLEDGE, sla.TRIAGE, sla.FIX, sla.DISCLOSE):
        if promise in running:
            return NextPromise(promise=promise, by=running[promise])
    return None


def _planned_day(record: ReportRecord) -> date | None:
    planned = embargo.planned(record)
    return planned.date() if planned else None


def _public(event: ReportEvent, report_id: str, receipt: str, ports: Ports) -> HistoryEntry | None:
    """Status changes, team replies (decrypted: part `reply` is the intake's to open) and
    the reporter's own follow-ups (from the copy sealed with their receipt: the team's
    copy only the team may decrypt). Never notes, assignments, audit entries or who acted."""
    if event.kind == "status" and event.public:
        return HistoryEntry(at=event.at, type="status", status=event.status)
    if event.kind == "reply" and event.public and event.part:
        text = parts.load_text(ports, report_id, parts.REPLY, event.part, event.event_id)
        return HistoryEntry(at=event.at, type="reply", message=text)
    if event.kind == "message":
        own = parts.load_own_copy(ports, report_id, event.event_id, receipt)
        return HistoryEntry(at=event.at, type="message", message=own)
    return None


def add_message(
    report_id: str,
    receipt: str,
    fields: Mapping[str, Any],
    ports: Ports,
    address: str | None = None,
) -> MessageAccepted:
    """Store a reporter's follow-up as an encrypted part (its event notifies the team).

    `address` is the client's address as the gateway saw it: counted under its pseudonym.
    """
    record = receipt_holder(report_id, receipt, ports, address)
    try:
        follow_up = FollowUp.model_validate(fields)
    except ValidationError as exc:
        raise ValidationFailed(field_problems(exc)) from None
    source, _client = abuse.pseudonyms(ports, address, ports.clock())
    abuse.enforce(ports, abuse.MESSAGES, source, ports.clock())
    if isinstance(record, Decoy):  # answered as a follow-up is; nothing kept
        event = ReportEvent(at=ports.clock(), kind="message", public=True)
        return MessageAccepted(report_id=record.report_id, message_id=event.event_id, at=event.at)
    return _stored_message(ports, record.report_id, follow_up.message, receipt)


MAX_MESSAGE = 20_000  # as FollowUp.message


def add_reporter_message(
    report_id: str, text: str, ports: Ports, mail_id: str = "", received: str = ""
) -> MessageAccepted:
    """A follow-up that arrived by mail from the report's own contact (the mail path has
    checked the sender: SPF, DKIM and the contact's address), stored like one sent here.

    `mail_id` (SES's message id) and `received` (SES's timestamp) name the mail: every
    delivery of it stores the same event, so a mail delivered again is added once."""
    record = ports.reports.get(normalized_report_id(report_id))
    if record is None or record.purging:
        raise NotFound()
    kept = text[:MAX_MESSAGE] if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 40]
    if len(text) > MAX_MESSAGE:
        kept += "\n[the rest of the mail was cut off here]"
    follow_up = FollowUp.model_validate({"message": kept.strip() or "(an empty mail)"})
    if not mail_id:
        return _stored_message(ports, record.report_id, follow_up.message)
    at = _moment(received) or ports.clock()
    event = ReportEvent(event_id=mail_event_id(mail_id), at=at, kind="message", public=True)
    return _stored_once(ports, record.report_id, follow_up.message, event)


def mail_event_id(mail_id: str) -> str:
    """The event id of the message a mail adds: the same for every delivery of the mail."""
    return "m" + hashlib.sha256(mail_id.encode()).hexdigest()[:15]


def _moment(value: str) -> datetime | None:
    with contextlib.suppress(ValueError):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else None
    return None


def _stored_once(ports: Ports, report_id: str, text: str, event: ReportEvent) -> MessageAccepted:
    """Its event's id and time come from the mail, so the event's item key is the same for
    every delivery: one whose put landed but whose answer was lost meets the put's
    condition (AlreadyExists) when the mail comes again, and counts as done."""
    done = MessageAccepted(report_id=report_id, message_id=event.event_id, at=event.at)
    if any(earlier.event_id == event.event_id for earlier in ports.reports.events(report_id)):
        return done  # an earlier delivery added it (at another time, without SES's)
    key = parts.message_key(report_id, event.event_id)
    with contextlib.suppress(AlreadyExists):  # sealed by an earlier delivery: the same text
        parts.store_text(ports, report_id, parts.MESSAGE, event.event_id, text)
    with contextlib.suppress(AlreadyExists):  # the earlier delivery's event landed
        ports.reports.add_event(report_id, event.model_copy(update={"part": key}))
    return done


def _stored_message(
    ports: Ports, report_id: str, text: str, receipt: str | None = None
) -> MessageAccepted:
    event = ReportEvent(at=ports.clock(), kind="message", public=True)
    # The parts first: an event that points at a missing blob would break the history.
    key = parts.store_text(ports, report_id, parts.MESSAGE, event.event_id, text)
    if receipt is not None:
        parts.store_own_copy(ports, report_id, event.event_id, receipt, text)
    ports.reports.add_event(report_id, event.model_copy(update={"part": key}))
    return MessageAccepted(report_id=report_id, message_id=event.event_id, at=event.at)
