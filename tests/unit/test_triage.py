"""The team's use cases against fakes: history with actors, what the reporter sees, SLA dates."""

from dataclasses import replace
from datetime import date

import pytest

from chalicelib.domain.crypto import SealedBlobError
from chalicelib.domain.errors import Conflict, NotFound, ValidationFailed
from chalicelib.usecases import parts
from chalicelib.usecases.events import STATUS_CHANGED
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import add_message, reporter_status
from chalicelib.usecases.team.inbox import list_reports, show_report, timeline
from chalicelib.usecases.team.triage import (
    acknowledge,
    add_note,
    assign,
    change_status,
    reply,
    set_severity,
)
from tests.builders import ANN, BASE, REPORT
from tests.unit.fakes import FRIDAY_NOON, deliver, fake_ports

CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
MEDIUM_40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"


@pytest.fixture
def submitted():
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    return ports, accepted


def test_acknowledgment_with_a_message_reaches_the_reporter_without_the_actor(submitted) -> None:
    ports, accepted = submitted

    record = acknowledge(ports, ANN, accepted.report_id, message="Thanks, we are on it.")

    view = reporter_status(accepted.report_id, accepted.receipt, ports)
    assert record.status == view.status == "acknowledged" and record.rev == 2
    assert [(h.type, h.status, h.message) for h in view.history] == [
        ("status", "received", None),
        ("status", "acknowledged", None),
        ("reply", None, "Thanks, we are on it."),
    ]
    assert ANN not in view.model_dump_json()
    assert [(e.kind, e.actor) for e in timeline(ports, accepted.report_id)] == [
        ("status", ANN),
        ("reply", ANN),
    ]


def test_notes_assignees_and_audit_stay_internal(submitted) -> None:
    ports, accepted = submitted
    add_note(ports, ANN, accepted.report_id, "Looks like CVE-2024-0001 again")
    assign(ports, ANN, accepted.report_id, "bob@example.com")
    show_report(ports, accepted.report_id, actor=ANN)

    view = reporter_status(accepted.report_id, accepted.receipt, ports).model_dump_json()

    for internal in ("CVE-2024-0001", "bob@example.com", ANN, "decrypted", "note"):
        assert internal not in view
    kinds = [e.kind for e in timeline(ports, accepted.report_id)]
    assert kinds == ["note", "assigned", "decrypted"]
    assert ports.reports.records[accepted.report_id].assignee == "bob@example.com"


def test_note_is_sealed_as_part_note(submitted) -> None:
    ports, accepted = submitted

    event = add_note(ports, ANN, accepted.report_id, "internal canary-7731")

    assert event.part == parts.message_key(accepted.report_id, event.event_id)
    assert b"canary-7731" not in ports.blobs.objects[event.part]
    opened = parts.load_text(ports, accepted.report_id, parts.NOTE, event.part, event.event_id)
    assert opened == "internal canary-7731"
    with pytest.raises(SealedBlobError):  # sealed for its event, not for any note
        parts.load(ports, accepted.report_id, parts.NOTE, event.part)


def test_show_decrypts_messages_replies_and_notes_and_leaves_an_audit_event(submitted) -> None:
    ports, accepted = submitted
    add_message(accepted.report_id, accepted.receipt, {"message": "Any news on this one?"}, ports)
    reply(ports, ANN, accepted.report_id, "Fix is scheduled.")
    add_note(ports, ANN, accepted.report_id, "Ship in 2.4.1")

    shown = show_report(ports, accepted.report_id, actor=ANN)

    assert shown.content["title"] == REPORT["title"]
    assert [(m.kind, m.text) for m in shown.messages] == [
        ("message", "Any news on this one?"),
        ("reply", "Fix is scheduled."),
        ("note", "Ship in 2.4.1"),
    ]
    assert timeline(ports, accepted.report_id)[-1].kind == "decrypted"
    assert timeline(ports, accepted.report_id)[-1].actor == ANN


def test_illegal_transition_changes_nothing(submitted) -> None:
    ports, accepted = submitted
    before = ports.reports.records[accepted.report_id]
    deliver(ports)
    sent = len(ports.notifier.sent)

    with pytest.raises(Conflict, match="cannot move from received to fixed"):
        change_status(ports, ANN, accepted.report_id, "fixed", note="should not be kept")
    deliver(ports)

    assert ports.reports.records[accepted.report_id] == before
    assert timeline(ports, accepted.report_id) == []
    assert len(ports.notifier.sent) == sent
    assert len(ports.blobs.objects) == 3  # report, contact, attachment: no note part either


def test_stale_copy_loses_with_a_conflict_and_changes_nothing(submitted) -> None:
    ports, accepted = submitted
    stale = ports.reports.records[accepted.report_id]
    acknowledge(ports, ANN, accepted.report_id)

    after = stale.model_copy(update={"status": "spam", "rev": stale.rev + 1})
    with pytest.raises(Conflict):
        ports.reports.update(stale, after, [])

    assert ports.reports.records[accepted.report_id].status == "acknowledged"


def test_status_change_is_announced_content_free(submitted) -> None:
    ports, accepted = submitted

    change_status(ports, ANN, accepted.report_id, "triaged")
    deliver(ports)

    message, attributes = ports.notifier.sent[-1]
    assert attributes["event"] == message["event"] == STATUS_CHANGED
    assert message["status"] == "triaged" and message["previous"] == "received"
    assert ANN not in str(message) and "invoice" not in str(message)


def test_duplicate_records_the_original_and_reopening_clears_it(submitted) -> None:
    ports, accepted = submitted
    original = submit_report(REPORT, ports, base_url=BASE).report_id

    record = change_status(ports, ANN, accepted.report_id, "duplicate", duplicate_of=original)
    reopened = change_status(ports, ANN, accepted.report_id, "triaged")

    assert record.duplicate_of == original and reopened.duplicate_of is None
    assert timeline(ports, accepted.report_id)[0].detail == original


def test_a_duplicate_of_a_report_that_does_not_exist_is_refused(submitted) -> None:
    ports, accepted = submitted

    with pytest.raises(ValidationFailed, match="no report VDP-0000-0001"):
        change_status(ports, ANN, accepted.report_id, "duplicate", duplicate_of="VDP-0000-0001")

    assert ports.reports.get(accepted.report_id).status == "received"


def test_disclosed_is_reached_only_with_a_date(submitted) -> None:
    ports, accepted = submitted
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(ports, ANN, accepted.report_id, status)

    with pytest.raises(ValidationFailed, match="reports disclose"):
        change_status(ports, ANN, accepted.report_id, "disclosed")

    assert ports.reports.get(accepted.report_id).status == "fixed"


def test_rescoring_to_none_drops_the_fix_deadline(submitted) -> None:
    ports, accepted = submitted
    rated = set_severity(ports, ANN, accepted.report_id, CRITICAL_31)

    rescored = set_severity(
        ports, ANN, accepted.report_id, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"
    )

    assert rated.fix_by is not None
    assert (rescored.cvss_rating, rescored.fix_by) == ("none", None)


@pytest.mark.parametrize(
    ("vector", "score", "rating", "fix_by"),
    [
        (CRITICAL_31, 9.8, "critical", date(2026, 11, 27)),
        (MEDIUM_40, 5.1, "medium", date(2027, 2, 18)),
    ],
)
def test_severity_scores_the_vector_and_starts_the_fix_clock(
    submitted, vector, score, rating, fix_by
) -> None:
    ports, accepted = submitted

    record = set_severity(ports, ANN, accepted.report_id, vector)

    assert (record.cvss_vector, record.cvss_rating, record.severity) == (vector, rating, rating)
    assert record.cvss_score == score
    assert record.fix_by == fix_by  # calendar days from receipt (Friday 2026-11-20)
    assert record.disclose_by == date(2027, 2, 18)
    assert record.triage_by == date(2026, 12, 7)  # 10 business days, Thanksgiving skipped
    [event] = timeline(ports, accepted.report_id)
    assert event.kind == "severity" and vector in (event.detail or "")


def test_bad_vector_and_unknown_report_are_clear_errors(submitted) -> None:
    ports, accepted = submitted

    with pytest.raises(ValidationFailed, match="CVSS"):
        set_severity(ports, ANN, accepted.report_id, "AV:N/AC:L")
    with pytest.raises(NotFound, match="VDP-0000-0000"):
        reply(ports, ANN, "VDP-0000-0000", "hello")
    with pytest.raises(ValidationFailed):
        reply(ports, ANN, accepted.report_id, "   ")


def test_list_filters_by_product_and_overdue(submitted) -> None:
    ports, accepted = submitted
    other = submit_report({**REPORT, "product": "example-app"}, ports, base_url=BASE)
    acknowledge(ports, ANN, other.report_id)
    week_later = replace(ports, clock=lambda: FRIDAY_NOON.replace(day=27))

    overdue = [r.report_id for r in list_reports(week_later, overdue=True)]
    api = [r.report_id for r in list_reports(ports, product="example-api")]

    assert overdue == [accepted.report_id]  # acknowledged on time, the other was not
    assert api == [accepted.report_id]
    assert list(list_reports(ports, overdue=True)) == []


@pytest.mark.parametrize("who", ["", " ", "x" * 201, "ann\nVDP-0000-0000 closed", "ann\x1b[2J"])
def test_an_assignee_is_one_printable_line(submitted, who: str) -> None:
    ports, accepted = submitted

    with pytest.raises(ValidationFailed, match="assignee: "):
        assign(ports, ANN, accepted.report_id, who)

    assert ports.reports.records[accepted.report_id].assignee is None
