"""The team's changes to a report: status, severity, assignment, notes and replies.

No HTTP, no boto3: the ports and the caller's identity (`actor`) are handed in.
Metadata changes go through `Reports.update`, which saves the record and its history
events together only if nobody changed the report since it was read (`rev`).
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import FieldProblem, NotFound, ValidationFailed
from chalicelib.domain.lifecycle import check_transition
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.domain.report.scoring import score_vector
from chalicelib.domain.report.sla import with_due_dates
from chalicelib.domain.report.strict import name_problem
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports

MAX_TEXT = 20_000  # as the reporter's impact field: a reply is a message, not a document
# A reply event's detail when its part holds the reply encrypted to the reporter's own key
# (nobody but the reporter can read it back, the team included).
TO_REPORTERS_KEY = "encrypted to the reporter's key"


def get_report(ports: Ports, report_id: str) -> ReportRecord:
    record = ports.reports.get(report_id)
    if record is None:
        raise NotFound(f"no report {report_id}")
    return record


def record_reading(ports: Ports, report_id: str, actor: str) -> None:
    """Nobody reads a report without leaving a trace: the event comes before decryption."""
    audit = ReportEvent(at=ports.clock(), kind="decrypted", public=False, actor=actor)
    ports.reports.add_event(report_id, audit)


def change_status(
    ports: Ports,
    actor: str,
    report_id: str,
    new: str,
    *,
    note: str | None = None,
    reply: str | None = None,
    duplicate_of: str | None = None,
    disclosed_at: datetime | None = None,
) -> ReportRecord:
    """Move a report along its lifecycle (its status event notifies the team)."""
    record = get_report(ports, report_id)
    check_transition(report_id, record.status, new, duplicate_of)
    _check_status_facts(ports, new, duplicate_of, disclosed_at)
    now = ports.clock()
    changed = record.model_copy(
        update={
            "status": new,
            "duplicate_of": duplicate_of,
            "disclosed_at": disclosed_at or record.disclosed_at,
            "updated_at": now,
            "rev": record.rev + 1,
        }
    )
    detail = duplicate_of or (disclosed_at.isoformat() if disclosed_at else None)
    status = ReportEvent(
        at=now,
        kind="status",
        public=True,
        status=new,
        previous=record.status,
        actor=actor,
        detail=detail,
    )
    events = [status]
    if note is not None:
        events.append(_sealed_text(ports, report_id, parts.NOTE, note, actor, public=False))
    if reply is not None:
        events.append(_sealed_text(ports, report_id, parts.REPLY, reply, actor, public=True))
    after = with_due_dates(changed, ports.policy)
    ports.reports.update(record, after, events)
    return after


def _check_status_facts(
    ports: Ports, new: str, duplicate_of: str | None, disclosed_at: datetime | None
) -> None:
    """A duplicate's original must exist; a disclosure needs its date (`reports disclose`)."""
    if new == "disclosed" and disclosed_at is None:
        problem = "a disclosure has a date: use `vdp reports disclose ID --date ...`"
        raise ValidationFailed([FieldProblem("status", problem)], problem)
    if duplicate_of is not None:
        try:
            get_report(ports, duplicate_of)
        except NotFound:
            problem = f"there is no report {duplicate_of} to be a duplicate of"
            raise ValidationFailed([FieldProblem("duplicate_of", problem)], problem) from None


def acknowledge(
    ports: Ports, actor: str, report_id: str, message: str | None = None
) -> ReportRecord:
    """received -> acknowledged, with an optional reply the reporter will read."""
    return change_status(ports, actor, report_id, "acknowledged", reply=message)


def set_severity(ports: Ports, actor: str, report_id: str, vector: str) -> ReportRecord:
    """Score a CVSS 3.1/4.0 vector; the rating becomes the severity and starts the fix clock."""
    try:
        score = score_vector(vector.strip())
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("vector", str(exc))], str(exc)) from None
    record = get_report(ports, report_id)
    now = ports.clock()
    rating = score.rating if score.rating in ("critical", "high", "medium", "low") else "none"
    changed = record.model_copy(
        update={
            "cvss_vector": score.vector,
            "cvss_score": score.score,
            "cvss_rating": rating,
            "severity": rating,
            "updated_at": now,
            "rev": record.rev + 1,
        }
    )
    detail = f"{score.vector} = {score.score} {rating}"
    event = ReportEvent(at=now, kind="severity", public=False, actor=actor, detail=detail)
    after = with_due_dates(changed, ports.policy)
    ports.reports.update(record, after, [event])
    return after


def assign(ports: Ports, actor: str, report_id: str, assignee: str) -> ReportRecord:
    """Record who owns the report (internal: never shown to the reporter)."""
    who = assignee.strip()
    problem = "1-200 characters" if not who or len(who) > 200 else name_problem(who)
    if problem:
        raise ValidationFailed([FieldProblem("assignee", problem)], f"assignee: {problem}")
    record = get_report(ports, report_id)
    now = ports.clock()
    changed = record.model_copy(update={"assignee": who, "updated_at": now, "rev": record.rev + 1})
    event = ReportEvent(at=now, kind="assigned", public=False, actor=actor, detail=who)
    ports.reports.update(record, changed, [event])
    return changed


def add_note(ports: Ports, actor: str, report_id: str, text: str) -> ReportEvent:
    """An internal note, encrypted as part `note` (the intake role cannot read it)."""
    get_report(ports, report_id)
    event = _sealed_text(ports, report_id, parts.NOTE, text, actor, public=False)
    ports.reports.add_event(report_id, event)
    return event


def reply(ports: Ports, actor: str, report_id: str, text: str) -> ReportEvent:
    """A message to the reporter, encrypted as part `reply` (shown on their status page);
    to a reporter who gave an OpenPGP key, the part holds the reply encrypted to that key."""
    get_report(ports, report_id)
    event = _sealed_text(ports, report_id, parts.REPLY, text, actor, public=True)
    ports.reports.add_event(report_id, event)
    return event


def _sealed_text(
    ports: Ports, report_id: str, part: str, text: str, actor: str, *, public: bool
) -> ReportEvent:
    # The part before the event: an event must never point at a missing blob.
    if not text.strip() or len(text) > MAX_TEXT:
        problem = f"1-{MAX_TEXT} characters"
        raise ValidationFailed([FieldProblem(part, problem)], f"{part}: {problem}")
    kind = "note" if part == parts.NOTE else "reply"
    event = ReportEvent(at=ports.clock(), kind=kind, public=public, actor=actor)
    if part == parts.REPLY:
        armored = _to_reporters_key(ports, report_id, text)
        if armored is not None:
            text = armored
            event = event.model_copy(update={"detail": TO_REPORTERS_KEY})
    key = parts.store_text(ports, report_id, part, event.event_id, text)
    return event.model_copy(update={"part": key})


# The reporter's key was read at intake as armor only: it may not encrypt (any more).
KEY_CANNOT_ENCRYPT = (
    "{report_id}: the reporter's OpenPGP key cannot encrypt (unreadable, expired or revoked); "
    "the reply is stored as written, under KMS only"
)


def _to_reporters_key(ports: Ports, report_id: str, text: str) -> str | None:
    """The reply as an armored OpenPGP message to the key the reporter gave, or None (no
    key, no encryptor, or a key that cannot encrypt: the reply is stored as written, under
    KMS like any reply, as a mail to such a reporter goes out plain; the team is warned)."""
    if ports.encryptor is None:
        return None
    contact = parts.load_contact(ports, report_id) or {}
    key = contact.get("pgp_key")
    if not isinstance(key, str) or not key:
        return None
    try:
        return ports.encryptor.encrypt(key, text.encode())
    except ValueError:
        if ports.warn is not None:
            ports.warn(KEY_CANNOT_ENCRYPT.format(report_id=report_id))
        return None
