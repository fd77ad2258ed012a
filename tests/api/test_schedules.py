"""The scheduled functions, invoked as EventBridge would invoke them (chalice test client)."""

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


def test_sla_sweep_and_outbox_run_on_schedule_and_stay_idempotent(lambdas, aws) -> None:
    received = datetime.now(UTC) - timedelta(days=30)
    overdue = record("VDP-0000-0001").model_copy(
        update={"created_at": received, "acknowledge_by": received.date() + timedelta(days=3)}
    )
    bootstrap.ports().reports.create(overdue)

    for _ in range(2):
        lambdas.lambda_.invoke("sla_sweep", schedule_event(lambdas))
        lambdas.lambda_.invoke("outbox_retry", schedule_event(lambdas))

    events = sorted((n["event"], n.get("deadline", "")) for n in notices(aws.team_queue_url))
    assert ("report.received", "") in events
    assert events.count(("report.sla_breached", "acknowledge")) == 1
    assert len(events) == 3  # acknowledge and triage breached, once each; received once


def test_orphan_sweep_runs_on_schedule(lambdas) -> None:
    boto("s3").put_object(Bucket="vdp-local-reports", Key="reports/VDP-0000-0009/x.enc", Body=b"")

    answer = lambdas.lambda_.invoke("orphan_sweep", schedule_event(lambdas))

    assert answer.payload is None  # nothing young is removed; no error either
    assert boto("s3").list_object_versions(Bucket="vdp-local-reports").get("Versions")
