"""The team's flows against moto: racing transitions, a week of hourly SLA sweeps, filters.
Notifications come from the table's stream: a test pumps it (the `outbox` fixture)."""

import json
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.messages.sns import SnsSubscriptions
from chalicelib.adapters.store.dynamodb import DynamoReports
from chalicelib.domain.errors import Conflict
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.sweeps import sla_sweep
from chalicelib.usecases.team.inbox import filter_policy
from chalicelib.usecases.team.triage import change_status
from tests.builders import ANN, BASE, REPORT
from tests.conftest import boto
from tests.integration.helpers import queue
from tests.unit.fakes import FRIDAY_NOON


class Serialized:
    """One moto request at a time. DynamoDB applies writes to an item atomically; moto's
    in-process backend checks a condition and writes without a lock, so the test supplies
    that atomicity. The race on our side (both read rev 1, both write) stays real."""

    _lock = threading.Lock()

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return method(*args, **kwargs)

        return call


class ReadTogether:
    """Both racers read the report before either writes."""

    def __init__(self, inner: DynamoReports, barrier: threading.Barrier) -> None:
        self._inner, self._barrier = inner, barrier

    def get(self, report_id: str) -> Any:
        found = self._inner.get(report_id)
        self._barrier.wait(timeout=10)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def messages(url: str) -> list[dict[str, Any]]:
    found = []
    while (
        batch := boto("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages")
    ):
        found += [json.loads(json.loads(m["Body"])["Message"]) for m in batch]
        for m in batch:
            boto("sqs").delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


def subscribed(name: str, **wanted: list[str]) -> str:
    url, arn = queue(name)
    chosen = {"events": [], "severities": [], "products": [], **wanted}
    policy = filter_policy(bootstrap.policy(), **chosen)
    SnsSubscriptions(boto("sns"), bootstrap.settings().topic_arn).subscribe("sqs", arn, policy)
    return url


def test_of_two_racing_transitions_exactly_one_wins(outbox) -> None:
    ports = bootstrap.ports()
    report_id = submit_report(REPORT, ports, base_url=BASE).report_id
    url = subscribed("status-changes", events=["report.status_changed"])
    racing = DynamoReports(Serialized(boto("dynamodb")), "vdp-local")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def move(status: str) -> None:
        racer = replace(ports, reports=ReadTogether(racing, barrier))
        try:
            outcomes[status] = change_status(racer, ANN, report_id, status, note=f"why {status}")
        except Conflict as lost:
            outcomes[status] = lost

    threads = [threading.Thread(target=move, args=(s,)) for s in ("acknowledged", "spam")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    [winner] = [s for s, o in outcomes.items() if not isinstance(o, Conflict)]
    [loser] = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert "changed by someone else" in loser.message
    stored = ports.reports.get(report_id)
    assert stored.status == winner and stored.rev == 2
    events = ports.reports.events(report_id)
    assert sorted(e.kind for e in events) == ["note", "status"]  # the loser left no event
    assert outbox.pump() == []
    assert [(m["status"], m["previous"]) for m in messages(url)] == [(winner, "received")]


def test_a_week_of_hourly_sweeps_announces_the_missed_acknowledgment_once(outbox) -> None:
    ports = replace(bootstrap.ports(), clock=lambda: FRIDAY_NOON)
    report_id = submit_report(REPORT, ports, base_url=BASE).report_id  # Friday 2026-11-20
    url = subscribed("breaches", events=["report.sla_breached"])

    recorded = []
    for hour in range(7 * 24):
        now = FRIDAY_NOON + timedelta(hours=hour)
        recorded += [(now, b) for b in sla_sweep(replace(ports, clock=lambda now=now: now))]
        assert outbox.pump() == []  # the stream's trigger, between the hourly runs

    # Due Wednesday 25th (3 business days); breached from Thursday 26th 00:00 UTC.
    [(when, breach)] = recorded
    assert when.isoformat() == "2026-11-26T00:00:00+00:00"
    assert (breach.report_id, breach.deadline, breach.due) == (
        report_id,
        "acknowledge",
        "2026-11-25",
    )
    [notice] = messages(url)
    assert notice["event"] == "report.sla_breached" and notice["deadline"] == "acknowledge"
    assert notice["due"] == "2026-11-25" and notice["report_id"] == report_id


def test_racing_and_repeated_sweeps_announce_a_breach_once(outbox) -> None:
    ports = replace(bootstrap.ports(), clock=lambda: FRIDAY_NOON)
    report_id = submit_report(REPORT, ports, base_url=BASE).report_id
    url = subscribed("raced-breaches", events=["report.sla_breached"])
    thursday = replace(ports, clock=lambda: FRIDAY_NOON + timedelta(days=6))
    sweeping = replace(thursday, reports=DynamoReports(Serialized(boto("dynamodb")), "vdp-local"))
    results: list[int] = []

    threads = [
        threading.Thread(target=lambda: results.append(len(sla_sweep(sweeping)))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    rerun = sla_sweep(thursday)  # the next hour's run, and a retried invocation
    pumped = outbox.pump()

    assert sorted(results) == [0, 0, 1] and rerun == []
    assert pumped == []
    assert [(m["event"], m["report_id"], m["deadline"]) for m in messages(url)] == [
        ("report.sla_breached", report_id, "acknowledge")
    ]
    assert [e.kind for e in ports.reports.events(report_id)] == ["sla_breached"]


def test_a_subscriber_filtered_to_critical_receives_critical_reports_only(outbox) -> None:
    url = subscribed("critical-only", severities=["critical"])
    ports = bootstrap.ports()

    critical = submit_report({**REPORT, "severity": "critical"}, ports, base_url=BASE)
    submit_report({**REPORT, "severity": "low"}, ports, base_url=BASE)
    submit_report(REPORT, ports, base_url=BASE)  # high
    assert outbox.pump() == []

    assert [(m["report_id"], m["severity"]) for m in messages(url)] == [
        (critical.report_id, "critical")
    ]


def test_unknown_filter_values_are_refused(aws) -> None:
    with pytest.raises(Exception, match="unknown severity urgent"):
        filter_policy(bootstrap.policy(), [], ["urgent"], [])
