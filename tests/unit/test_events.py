"""The publisher against fakes: which notification each inserted item becomes, what is
skipped, and where a batch stops when SNS fails (the stream hands the rest over again)."""

from dataclasses import replace
from datetime import timedelta

from chalicelib.domain.report.records import TableChange
from chalicelib.usecases.events import publish_changes
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import add_message
from chalicelib.usecases.sweeps import sla_sweep
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import acknowledge, add_note, assign, set_severity
from tests.builders import ANN, BASE, REPORT
from tests.unit.fakes import FRIDAY_NOON, deliver, fake_ports

CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
# What a message may carry: ids, product, severity, status, dates, an event's own facts.
CONTENT_FREE = {
    "event", "event_id", "report_id", "product", "severity", "status", "acknowledge_by",
    "previous", "deadline", "due", "change",
}  # fmt: skip


def test_each_kind_of_item_becomes_its_notification() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    report_id = accepted.report_id
    add_message(report_id, accepted.receipt, {"message": "Any news?"}, ports)
    acknowledge(ports, ANN, report_id, message="On it.")
    set_severity(ports, ANN, report_id, CRITICAL_31)
    assign(ports, ANN, report_id, "bob")
    add_note(ports, ANN, report_id, "internal")
    show_report(ports, report_id, actor=ANN)
    sla_sweep(replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=30)))

    assert deliver(ports) == []

    facts = [
        (m["event"], m.get("previous") or m.get("change") or m.get("deadline"))
        for m, _ in ports.notifier.sent
    ]
    assert facts == [
        ("report.received", None),
        ("report.message_received", None),
        ("report.status_changed", "received"),
        ("report.replied", None),
        ("report.updated", "severity"),
        ("report.updated", "assigned"),
        ("report.updated", "note"),
        ("report.updated", "decrypted"),
        ("report.sla_breached", "triage"),
    ]
    events = {e.event_id: e for e in ports.reports.events(report_id)}
    assert [m["event_id"] for m, _ in ports.notifier.sent] == [
        f"{report_id}/received",
        *(f"{report_id}/{event_id}" for event_id in events),
    ]
    for message, attributes in ports.notifier.sent:
        assert set(message) <= CONTENT_FREE and message["report_id"] == report_id
        assert attributes == {
            "event": message["event"],
            "severity": message["severity"],
            "product": "example-api",
        }
    status = next(m for m, _ in ports.notifier.sent if m["event"] == "report.status_changed")
    breach = next(m for m, _ in ports.notifier.sent if m["event"] == "report.sla_breached")
    assert status["status"] == "acknowledged"
    assert breach["due"] == "2026-12-07"


def test_housekeeping_items_changes_and_removals_announce_nothing() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    meta = next(c.item for c in ports.reports.changes if c.item["SK"] == "META")
    changes = [
        TableChange("1", True, {"PK": "RATE#reports#2026112012", "SK": "WINDOW", "count": 1}),
        TableChange("2", True, {"PK": "IDEMP#abc", "SK": "KEY"}),
        TableChange("3", True, {"PK": "POW#abc", "SK": "SPENT"}),
        TableChange("4", False, meta),  # a change of the report, not an insert
        TableChange("5", False, {}),  # a removal: no new image
    ]

    assert publish_changes(changes, ports) == []
    assert ports.notifier.sent == []
    assert accepted.report_id in ports.reports.records


def test_an_event_of_a_report_deleted_since_announces_nothing() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    add_note(ports, ANN, accepted.report_id, "internal")
    event = next(c for c in ports.reports.changes if str(c.item["SK"]).startswith("EVENT#"))
    ports.reports.delete_report(accepted.report_id, ports.reports.records[accepted.report_id].rev)

    assert publish_changes([event], ports) == []
    assert ports.notifier.sent == []


def test_the_first_failure_stops_the_batch_and_the_rest_follows_once_sns_is_back() -> None:
    ports = fake_ports()
    first = submit_report(REPORT, ports, base_url=BASE)
    assert deliver(ports) == []
    second = submit_report(REPORT, ports, base_url=BASE)
    third = submit_report(REPORT, ports, base_url=BASE)
    ports.notifier.fail = True

    failed = deliver(ports)
    ports.notifier.fail = False
    healed = deliver(ports)

    second_meta = next(
        c.sequence for c in ports.reports.changes if c.item["PK"] == f"REPORT#{second.report_id}"
    )
    assert failed == [second_meta] and healed == []
    assert [m["report_id"] for m, _ in ports.notifier.sent] == [
        first.report_id,
        second.report_id,
        third.report_id,
    ]


def test_an_item_that_cannot_be_read_is_reported_failed_not_skipped() -> None:
    ports = fake_ports()
    broken = TableChange("7", True, {"PK": "REPORT#VDP-0000-0001", "SK": "META", "status": 1})

    assert publish_changes([broken], ports) == ["7"]
    assert ports.notifier.sent == []
