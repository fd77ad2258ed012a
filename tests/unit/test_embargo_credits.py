"""A consented credit planned with an embargo, against fakes, the clock driven by the test:
sealed when the team plans the date, published by the hourly run after the disclosure,
which opens the sealed credit and never the report."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.domain.crypto import Context
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team import credits, embargo
from chalicelib.usecases.team.advisories import disclose
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    DECLINED_ADVISORY_REPORT,
    fixed_report,
)
from tests.unit.fakes import FRIDAY_NOON, Clock, fake_ports

CET = timezone(timedelta(hours=1))
PLANNED = datetime(2026, 12, 3, 9, 0, tzinfo=CET)
AFTER = PLANNED + timedelta(minutes=40)  # the first hourly run after the date


class CreditKeysOnly:
    """The publisher's KMS: unwraps a `credit` part's key, refuses every other part."""

    def __init__(self, keys: Any) -> None:
        self._keys = keys

    def unwrap(self, wrapped: bytes, context: Context) -> bytes:
        assert context["part"] == parts.CREDIT, f"the publisher opened {context['part']}"
        plaintext: bytes = self._keys.unwrap(wrapped, context)
        return plaintext


def planned(fields: dict[str, Any]) -> tuple[Ports, Clock, str]:
    """A fixed report with its disclosure planned for PLANNED by alice."""
    clock = Clock(FRIDAY_NOON)
    ports = dataclasses.replace(fake_ports(), clock=clock)
    report_id = fixed_report(ports, fields)
    disclose(ports, "alice", report_id, PLANNED)
    return ports, clock, report_id


def hourly_run(ports: Ports) -> list[str]:
    """publish_due as the scheduled function runs it: no key but the credit's."""
    return embargo.publish_due(dataclasses.replace(ports, keys=CreditKeysOnly(ports.keys)))


def test_a_consented_credit_is_sealed_when_planned_and_public_only_after_the_date() -> None:
    ports, clock, report_id = planned(ADVISORY_REPORT)
    sealed = ports.reports.records[report_id]

    clock.now = PLANNED - timedelta(minutes=1)
    hourly_run(ports)
    before = credits.public_credits(ports)
    clock.now = AFTER
    hourly_run(ports)

    assert (sealed.credit_at_disclosure, sealed.credit_published_at) == (True, None)
    assert parts.credit_key(report_id) in ports.blobs.objects  # sealed, not yet published
    assert before == []
    assert [(c.name, c.date) for c in credits.public_credits(ports)] == [("grace_h", AFTER.date())]
    stored = ports.reports.records[report_id]
    assert (stored.status, stored.credit_published_at, stored.credit_at_disclosure) == (
        "disclosed",
        AFTER,
        False,
    )
    credit_events = [e for e in ports.reports.events(report_id) if e.kind == "credit"]
    assert [(e.actor, e.detail, e.public) for e in credit_events] == [
        (embargo.PUBLISHER, "published", False)
    ]


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        (DECLINED_ADVISORY_REPORT, "the reporter did not ask for credit"),
        (ANONYMOUS_ADVISORY_REPORT, "the reporter is anonymous; anonymous reports are never"),
    ],
)
def test_a_declined_or_anonymous_credit_is_never_sealed_nor_published(
    fields: dict[str, Any], refusal: str
) -> None:
    clock = Clock(FRIDAY_NOON)
    ports = dataclasses.replace(fake_ports(), clock=clock)
    report_id = fixed_report(ports, fields)

    plan = embargo.plan_disclosure(ports, "alice", report_id, PLANNED)
    clock.now = AFTER
    published = hourly_run(ports)

    assert plan.credit_refusal is not None and plan.credit_refusal.startswith(refusal)
    assert plan.record.credit_at_disclosure is False
    assert parts.credit_key(report_id) not in ports.blobs.objects
    assert published == [report_id]  # the disclosure itself goes ahead
    assert ports.reports.records[report_id].credit_published_at is None
    assert credits.public_credits(ports) == []


def test_cancelling_the_embargo_clears_the_credit_and_nothing_is_published() -> None:
    ports, clock, report_id = planned(ADVISORY_REPORT)

    cancelled = embargo.cancel(ports, "bob", report_id)
    clock.now = AFTER
    published = hourly_run(ports)

    assert cancelled.credit_at_disclosure is False
    assert ports.reports.records[report_id].credit_at_disclosure is False
    assert published == [] and credits.public_credits(ports) == []


def test_disclosing_now_publishes_no_credit_as_before() -> None:
    ports, clock, report_id = planned(ADVISORY_REPORT)

    disclosed = disclose(ports, "alice", report_id)
    clock.now = AFTER
    hourly_run(ports)

    assert disclosed.status == "disclosed" and disclosed.credit_published_at is None
    assert ports.reports.records[report_id].credit_at_disclosure is False
    assert credits.public_credits(ports) == []


def test_a_missing_sealed_name_leaves_the_credit_to_the_team_and_the_disclosure_stands() -> None:
    ports, clock, report_id = planned(ADVISORY_REPORT)
    del ports.blobs.objects[parts.credit_key(report_id)]

    clock.now = AFTER
    published = hourly_run(ports)

    stored = ports.reports.records[report_id]
    assert published == [report_id] and stored.status == "disclosed"
    assert stored.credit_published_at is None and credits.public_credits(ports) == []
