"""Scheduled sweeps against fakes: the outbox and the orphan sweep."""

from dataclasses import replace
from datetime import timedelta

from chalicelib.usecases import parts
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.sweeps import orphan_sweep, outbox_retry, sla_sweep
from tests.builders import BASE, REPORT
from tests.unit.fakes import FRIDAY_NOON, fake_ports


def test_outbox_publishes_a_failed_notification_once_after_the_grace_period() -> None:
    ports = fake_ports()
    ports.notifier.fail = True
    accepted = submit_report(REPORT, ports, base_url=BASE)
    ports.notifier.fail = False
    later = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(minutes=5))

    too_early = outbox_retry(ports)
    first, second = outbox_retry(later), outbox_retry(later)

    assert too_early == [] and first == [accepted.report_id] and second == []
    [(message, _)] = ports.notifier.sent
    assert message["event"] == "report.received" and message["report_id"] == accepted.report_id


def test_outbox_gives_the_claim_back_when_sns_is_still_down() -> None:
    ports = fake_ports()
    ports.notifier.fail = True
    accepted = submit_report(REPORT, ports, base_url=BASE)
    later = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(minutes=5))

    assert outbox_retry(later) == []
    assert ports.reports.records[accepted.report_id].notified is False
    ports.notifier.fail = False
    assert outbox_retry(later) == [accepted.report_id]


def test_a_sweep_that_died_after_its_claim_does_not_lose_the_notification() -> None:
    ports = fake_ports()
    ports.notifier.fail = True
    accepted = submit_report(REPORT, ports, base_url=BASE)
    ports.notifier.fail = False
    at = FRIDAY_NOON + timedelta(minutes=5)
    # A sweep claims, then its Lambda times out before SNS answers.
    ports.reports.claim_notification(accepted.report_id, at, at + timedelta(minutes=5))

    while_held = outbox_retry(replace(ports, clock=lambda: at + timedelta(minutes=1)))
    after_lease = outbox_retry(replace(ports, clock=lambda: at + timedelta(minutes=6)))

    assert while_held == [] and after_lease == [accepted.report_id]
    assert ports.reports.records[accepted.report_id].notified is True
    assert len(ports.notifier.sent) == 1


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


def test_sla_sweep_gives_the_claim_back_when_sns_is_down() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    thursday = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=6))
    ports.notifier.fail = True

    assert [(b.report_id, b.deadline, b.announced) for b in sla_sweep(thursday)] == [
        (accepted.report_id, "acknowledge", False)
    ]
    ports.notifier.fail = False
    assert [(b.report_id, b.deadline, b.announced) for b in sla_sweep(thursday)] == [
        (accepted.report_id, "acknowledge", True)
    ]
    assert sla_sweep(thursday) == []  # announced once
