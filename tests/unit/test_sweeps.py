"""Scheduled sweeps against fakes: SLA breaches (recorded once, announced through the
table's stream) and the orphan sweep."""

from dataclasses import replace
from datetime import timedelta

from chalicelib.usecases import parts
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.sweeps import orphan_sweep, sla_sweep
from chalicelib.usecases.team.triage import change_status
from tests.builders import ANN, BASE, REPORT
from tests.unit.fakes import FRIDAY_NOON, deliver, fake_ports


def test_orphan_sweep_removes_only_old_blobs_without_metadata() -> None:
    ports = fake_ports()
    kept = submit_report(REPORT, ports, base_url=BASE)
    old_orphan, new_orphan = "reports/VDP-0000-0001/report.enc", "reports/VDP-0000-0002/report.enc"
    for key in (old_orphan, new_orphan):
        ports.blobs.objects[key] = b"sealed"
    ports.blobs.modified[new_orphan] = FRIDAY_NOON + timedelta(hours=20)
    next_day = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=1, hours=1))

    removed = orphan_sweep(next_day)

    assert removed == ["VDP-0000-0001"]
    assert old_orphan not in ports.blobs.objects and new_orphan in ports.blobs.objects
    assert parts.report_key(kept.report_id) in ports.blobs.objects
    assert orphan_sweep(next_day) == []


def test_sla_sweep_records_each_breach_once_and_touches_no_sns() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    deliver(ports)  # report.received
    thursday = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=6))
    ports.notifier.fail = True  # SNS down: the sweep does not notice

    first, second = sla_sweep(thursday), sla_sweep(thursday)

    assert [(b.report_id, b.deadline, b.due) for b in first] == [
        (accepted.report_id, "acknowledge", "2026-11-25")
    ]
    assert second == []
    assert [e.kind for e in ports.reports.events(accepted.report_id)] == ["sla_breached"]
    assert ports.reports.records[accepted.report_id].sla_announced == {"acknowledge": "2026-11-25"}


def test_a_recorded_breach_reaches_the_team_once_sns_is_back() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    deliver(ports)
    thursday = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=6))
    sla_sweep(thursday)
    ports.notifier.fail = True

    while_down = deliver(ports)
    ports.notifier.fail = False
    healed, again = deliver(ports), deliver(ports)

    assert while_down != [] and healed == again == []
    [(message, attributes)] = ports.notifier.sent[1:]
    assert attributes["event"] == message["event"] == "report.sla_breached"
    assert (message["report_id"], message["deadline"], message["due"]) == (
        accepted.report_id,
        "acknowledge",
        "2026-11-25",
    )


def test_a_closed_report_is_not_swept() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    change_status(ports, ANN, accepted.report_id, "spam")

    assert sla_sweep(replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=60))) == []
