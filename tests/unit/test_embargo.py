"""Embargoes against in-memory fakes, the clock driven by the test: a disclosure planned
for a date ahead is published by the hourly run once that date has passed, and only then."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import embargo
from chalicelib.usecases.team.advisories import disclose
from chalicelib.usecases.team.exports import export
from chalicelib.usecases.team.triage import change_status
from tests.builders import ADVISORY_REPORT, fixed_report
from tests.unit.fakes import FRIDAY_NOON, Clock, fake_ports

CET = timezone(timedelta(hours=1))
PLANNED = datetime(2026, 12, 3, 9, 0, tzinfo=CET)  # Thursday 08:00 UTC, two weeks ahead


def embargoed() -> tuple[Ports, Clock, str]:
    """A fixed report, its disclosure planned for PLANNED; the clock at FRIDAY_NOON."""
    clock = Clock(FRIDAY_NOON)
    ports = dataclasses.replace(fake_ports(), clock=clock)
    report_id = fixed_report(ports, ADVISORY_REPORT)
    disclose(ports, "alice", report_id, PLANNED)
    return ports, clock, report_id


def kinds(ports: Ports, report_id: str) -> list[str]:
    return [event.kind for event in ports.reports.events(report_id)]


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (FRIDAY_NOON - timedelta(minutes=1), "date is in the past"),
        (FRIDAY_NOON, "date is in the past"),
        (datetime(2026, 12, 3, 9, 0), "date needs a time zone"),
        (FRIDAY_NOON + timedelta(days=366), "date is more than 365 days ahead"),
    ],
)
def test_a_date_in_the_past_without_a_zone_or_over_a_year_ahead_is_refused(
    when: datetime, problem: str
) -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    before = ports.reports.records[report_id]

    with pytest.raises(ValidationFailed, match=problem) as refused:
        disclose(ports, "alice", report_id, when)

    assert refused.value.fields[0].field == "date"
    assert ports.reports.records[report_id] == before


def test_a_date_ahead_plans_the_disclosure_and_the_report_stays_fixed() -> None:
    ports, _clock, report_id = embargoed()

    stored = ports.reports.records[report_id]
    [event] = [e for e in ports.reports.events(report_id) if e.kind == "embargo_scheduled"]
    assert (stored.status, stored.disclosed_at) == ("fixed", None)
    assert stored.disclosure_planned == PLANNED
    assert stored.disclosure_planned.utcoffset() == timedelta(hours=1)  # the offset kept
    assert (event.public, event.planned, event.actor) == (True, PLANNED, "alice")


def test_nothing_is_published_before_its_time_and_everything_after_it_once() -> None:
    ports, clock, report_id = embargoed()
    events = len(ports.reports.events(report_id))

    clock.now = PLANNED - timedelta(seconds=1)
    early = embargo.publish_due(ports)
    unchanged = ports.reports.records[report_id]
    clock.now = PLANNED + timedelta(minutes=40)  # the first hourly run after the date
    published = embargo.publish_due(ports)
    again = embargo.publish_due(ports)  # the next hour's run, or a retried invocation

    assert early == [] and unchanged.status == "fixed" and unchanged.disclosure_planned
    assert published == [report_id] and again == []
    stored = ports.reports.records[report_id]
    assert (stored.status, stored.disclosed_at, stored.disclosure_planned) == (
        "disclosed",
        PLANNED,
        None,
    )
    status = ports.reports.events(report_id)[events:]
    assert [(e.kind, e.status, e.actor) for e in status] == [
        ("status", "disclosed", embargo.PUBLISHER),
        ("credit", None, embargo.PUBLISHER),  # the reporter consented to credit
    ]


def test_the_published_advisory_is_final_and_dated_on_the_planned_day() -> None:
    ports, clock, report_id = embargoed()

    draft = export(ports, report_id, "csaf")["document"]["tracking"]["status"]
    clock.now = PLANNED + timedelta(hours=1)
    embargo.publish_due(ports)
    tracking = export(ports, report_id, "csaf")["document"]["tracking"]

    assert draft == "draft"
    assert tracking["status"] == "final"
    assert tracking["initial_release_date"] == "2026-12-03T09:00:00+01:00"


def test_overlapping_runs_publish_a_report_once() -> None:
    ports, clock, report_id = embargoed()
    clock.now = PLANNED + timedelta(hours=1)
    stale = list(ports.reports.by_status("fixed"))  # what a second run read from the index
    embargo.publish_due(ports)
    events = len(ports.reports.events(report_id))

    ports.reports.by_status = lambda status: iter(stale)  # the index lags behind
    second = embargo.publish_due(ports)

    assert second == [] and len(ports.reports.events(report_id)) == events


def test_a_moved_date_is_published_then_and_not_before() -> None:
    ports, clock, report_id = embargoed()
    later = PLANNED + timedelta(days=7)
    before_same = ports.reports.records[report_id]

    same = embargo.plan(ports, "bob", report_id, PLANNED)  # the same date: nothing to write
    embargo.plan(ports, "bob", report_id, later)
    clock.now = PLANNED + timedelta(hours=1)
    before = embargo.publish_due(ports)
    clock.now = later + timedelta(hours=1)
    after = embargo.publish_due(ports)

    assert same == before_same
    assert kinds(ports, report_id).count("embargo_scheduled") == 1
    moved = [e for e in ports.reports.events(report_id) if e.kind == "embargo_moved"]
    assert [(e.planned, e.actor) for e in moved] == [(later, "bob")]
    assert (before, after) == ([], [report_id])
    assert ports.reports.records[report_id].disclosed_at == later


def test_a_cancelled_embargo_is_never_published_and_the_report_stays_fixed() -> None:
    ports, clock, report_id = embargoed()

    cancelled = embargo.cancel(ports, "bob", report_id)
    clock.now = PLANNED + timedelta(days=1)
    published = embargo.publish_due(ports)

    assert published == [] and cancelled.disclosure_planned is None
    assert ports.reports.records[report_id].status == "fixed"
    [event] = [e for e in ports.reports.events(report_id) if e.kind == "embargo_cancelled"]
    assert (event.public, event.planned) == (True, PLANNED)  # it names the date dropped
    with pytest.raises(Conflict, match="no planned disclosure to cancel"):
        embargo.cancel(ports, "bob", report_id)


def test_disclosing_now_drops_the_plan() -> None:
    ports, clock, report_id = embargoed()

    disclosed = disclose(ports, "alice", report_id)
    clock.now = PLANNED + timedelta(hours=1)

    assert (disclosed.status, disclosed.disclosed_at) == ("disclosed", FRIDAY_NOON)
    assert ports.reports.records[report_id].disclosure_planned is None
    assert embargo.publish_due(ports) == []


def test_only_a_report_that_could_be_disclosed_gets_a_date() -> None:
    clock = Clock(FRIDAY_NOON)
    ports = dataclasses.replace(fake_ports(), clock=clock)
    report_id = fixed_report(ports, ADVISORY_REPORT)
    change_status(ports, "alice", report_id, "fixing")

    with pytest.raises(Conflict, match="cannot move from fixing to disclosed"):
        disclose(ports, "alice", report_id, PLANNED)
    with pytest.raises(ValidationFailed, match="--note and --reply"):
        disclose(ports, "alice", report_id, PLANNED, note="with the advisory")


def test_a_report_moved_back_to_fixing_holds_its_date() -> None:
    ports, clock, report_id = embargoed()
    change_status(ports, "alice", report_id, "fixing")
    clock.now = PLANNED + timedelta(hours=1)

    held = embargo.publish_due(ports)
    change_status(ports, "alice", report_id, "fixed")
    published = embargo.publish_due(ports)

    assert (held, published) == ([], [report_id])
    assert ports.reports.records[report_id].disclosed_at == PLANNED
