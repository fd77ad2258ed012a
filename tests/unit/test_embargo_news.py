"""What an embargo tells whom, against fakes: the reporter's view and page show the planned
date, the team is notified of every change, and the reporter gets a mail without content."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes
from email import policy as email_policy

from chalicelib.domain.policy.document import default_policy
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import reporter_status
from chalicelib.usecases.team import embargo
from chalicelib.usecases.team.advisories import disclose
from chalicelib.usecases.team.triage import change_status
from chalicelib.web.pages.status import status_page
from tests.builders import ADVISORY_REPORT, BASE
from tests.mail_samples import mail_ports, sent
from tests.unit.fakes import FRIDAY_NOON, deliver

CET = timezone(timedelta(hours=1))
PLANNED = datetime(2026, 12, 3, 9, 0, tzinfo=CET)
MOVED = datetime(2026, 12, 10, 9, 0, tzinfo=CET)


def fixed(ports: Ports) -> tuple[str, str]:
    """A fixed report whose reporter left an address: its id and receipt."""
    accepted = submit_report(ADVISORY_REPORT, ports, base_url=BASE)
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(ports, "alice", accepted.report_id, status)
    return accepted.report_id, accepted.receipt


def mails_after(ports: Ports, count: int) -> list[tuple[str, str]]:
    """Subject and text of each mail sent after the first `count`."""
    read = [message_from_bytes(raw, policy=email_policy.default) for *_, raw in sent(ports)]
    return [(str(m["Subject"]), m.get_content()) for m in read[count:]]


def test_the_reporter_sees_the_planned_date_as_the_next_promise() -> None:
    ports = mail_ports()
    report_id, receipt = fixed(ports)
    before = reporter_status(report_id, receipt, ports)

    disclose(ports, "alice", report_id, PLANNED)
    view = reporter_status(report_id, receipt, ports)
    page = status_page(default_policy(), view, receipt)

    assert before.disclosure_planned is None and before.next_promise is not None
    assert before.next_promise.by != PLANNED.date()
    assert view.disclosure_planned == date(2026, 12, 3)
    assert view.next_promise is not None
    assert (view.next_promise.promise, view.next_promise.by) == ("disclose", date(2026, 12, 3))
    assert 'Planned disclosure</dt><dd id="r-planned"><time datetime="2026-12-03">' in page
    assert "We aim to disclose it by" not in page  # the planned date stands in for it


def test_a_held_cancelled_or_published_embargo_shows_no_planned_date() -> None:
    ports = mail_ports()
    report_id, receipt = fixed(ports)
    disclose(ports, "alice", report_id, PLANNED)

    change_status(ports, "alice", report_id, "fixing")
    held = reporter_status(report_id, receipt, ports).disclosure_planned
    change_status(ports, "alice", report_id, "fixed")
    embargo.cancel(ports, "alice", report_id)
    cancelled = reporter_status(report_id, receipt, ports)
    embargo.plan(ports, "alice", report_id, PLANNED)
    embargo.publish_due(dataclasses.replace(ports, clock=lambda: MOVED))
    published = reporter_status(report_id, receipt, ports)

    assert held is None and cancelled.disclosure_planned is None
    assert cancelled.next_promise is not None and cancelled.next_promise.by != PLANNED.date()
    assert (published.status, published.disclosure_planned, published.next_promise) == (
        "disclosed",
        None,
        None,
    )


def test_every_change_notifies_the_team_and_mails_the_reporter_without_content() -> None:
    ports = mail_ports()
    report_id, _receipt = fixed(ports)
    deliver(ports)
    notified, mailed = len(ports.notifier.sent), len(sent(ports))

    for change in (
        lambda: disclose(ports, "alice", report_id, PLANNED),
        lambda: embargo.plan(ports, "alice", report_id, MOVED),
        lambda: embargo.cancel(ports, "alice", report_id),
        lambda: embargo.plan(ports, "alice", report_id, PLANNED),
        lambda: embargo.publish_due(dataclasses.replace(ports, clock=lambda: MOVED)),
    ):
        change()
        assert deliver(ports) == []  # the stream hands each change over as it lands

    team = [(m["event"], m.get("change") or m.get("status")) for m, _ in ports.notifier.sent]
    assert team[notified:] == [
        ("report.updated", "decrypted"),  # planning reads the credit choice
        ("report.updated", "embargo_scheduled"),
        ("report.updated", "embargo_moved"),  # the credit is sealed already
        ("report.updated", "embargo_cancelled"),
        ("report.updated", "decrypted"),  # cancelling cleared the credit: read again
        ("report.updated", "embargo_scheduled"),
        ("report.status_changed", "disclosed"),
        ("report.updated", "credit"),  # published with the disclosure
    ]
    mails = mails_after(ports, mailed)
    assert [subject.removeprefix(f"[{report_id}] ") for subject, _ in mails] == [
        "A disclosure date was set for your report",
        "The planned disclosure date changed",
        "The planned disclosure was cancelled",
        "A disclosure date was set for your report",
        "The issue you reported was disclosed",
    ]
    texts = [text for _, text in mails]
    assert "plans to disclose the issue you reported on December 3, 2026." in texts[0]
    assert "moved the planned disclosure of the issue you reported to December 10" in texts[1]
    assert "cancelled the disclosure planned for December 10, 2026." in texts[2]
    assert "We plan to disclose it by" in texts[2]  # the policy's own promise again
    assert not any("We plan to disclose it" in text for text in texts[:2])  # no second date
    for text in texts:
        assert ADVISORY_REPORT["title"] not in text and ADVISORY_REPORT["description"] not in text


def test_a_reply_during_an_embargo_promises_the_planned_date() -> None:
    ports = mail_ports()
    report_id, _receipt = fixed(ports)
    disclose(ports, "alice", report_id, PLANNED)
    deliver(ports)
    mailed = len(sent(ports))

    change_status(ports, "alice", report_id, "fixing")
    change_status(ports, "alice", report_id, "fixed", reply="The fix holds now.")
    deliver(ports)

    [*_, (_subject, text)] = mails_after(ports, mailed)
    assert "We plan to disclose it on December 3, 2026." in text
    assert FRIDAY_NOON.date().isoformat() not in text
