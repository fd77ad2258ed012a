"""The scheduled functions, invoked as EventBridge would invoke them, and the publisher as
the table's stream would invoke it (chalice test client)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from tests.builders import record
from tests.conftest import PROJECT_DIR, boto


@pytest.fixture
def lambdas(aws: Any) -> Any:
    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        yield client


def schedule_event(client: Any) -> Any:
    return client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )


def notices(url: str) -> list[dict[str, Any]]:
    answer = boto("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(json.loads(m["Body"])["Message"]) for m in answer.get("Messages", [])]


def test_the_functions_run_hourly_daily_and_on_the_tables_stream() -> None:
    from app import app

    schedules = {
        source.name: source.schedule_expression.to_string()
        for source in app.event_sources
        if hasattr(source, "schedule_expression")
    }
    [stream] = [source for source in app.event_sources if hasattr(source, "stream_arn")]

    assert schedules == {
        "purge_expired": "rate(1 day)",
        "sla_sweep": "rate(1 hour)",
        "orphan_sweep": "rate(1 day)",
        "publish_embargoes": "rate(1 hour)",
    }  # no outbox sweep: the stream delivers every notification
    assert (stream.name, stream.starting_position, stream.batch_size) == (
        "publish_events",
        "TRIM_HORIZON",
        100,
    )


def test_sla_sweep_runs_on_schedule_stays_idempotent_and_reaches_the_team(
    lambdas, aws, outbox
) -> None:
    received = datetime.now(UTC) - timedelta(days=30)
    overdue = record("VDP-0000-0001").model_copy(
        update={"created_at": received, "acknowledge_by": received.date() + timedelta(days=3)}
    )
    bootstrap.ports().reports.create(overdue)

    for _ in range(2):
        lambdas.lambda_.invoke("sla_sweep", schedule_event(lambdas))
    assert notices(aws.team_queue_url) == []  # the sweep only writes
    answer = lambdas.lambda_.invoke("publish_events", {"Records": outbox.records()})

    assert answer.payload == {"batchItemFailures": []}
    events = sorted((n["event"], n.get("deadline", "")) for n in notices(aws.team_queue_url))
    assert events == [
        ("report.received", ""),
        ("report.sla_breached", "acknowledge"),
        ("report.sla_breached", "triage"),
    ]  # each breach once, received once


def test_orphan_sweep_runs_on_schedule(lambdas) -> None:
    boto("s3").put_object(Bucket="vdp-local-reports", Key="reports/VDP-0000-0009/x.enc", Body=b"")

    answer = lambdas.lambda_.invoke("orphan_sweep", schedule_event(lambdas))

    assert answer.payload is None  # nothing young is removed; no error either
    assert boto("s3").list_object_versions(Bucket="vdp-local-reports").get("Versions")
