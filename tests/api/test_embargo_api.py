"""Embargoes over in-process moto: the hourly function (invoked as EventBridge invokes it)
discloses what is due and nothing else, once, and publishes the consented credits that
waited for it; the reporter's JSON view and status page show the planned date; the
stream tells the team of each change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team import credits, embargo
from chalicelib.usecases.team.triage import change_status
from tests.api.helpers import team_queue
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    BASE,
    DECLINED_ADVISORY_REPORT,
)
from tests.conftest import PROJECT_DIR


@pytest.fixture
def lambdas(aws: Any) -> Iterator[Any]:
    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        yield client


def fixed(fields: dict[str, Any] = ADVISORY_REPORT) -> tuple[str, str]:
    """A fixed report in the local table: its id and receipt."""
    accepted = submit_report(fields, bootstrap.ports(), base_url=BASE)
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(bootstrap.ports(), "alice", accepted.report_id, status)
    return accepted.report_id, accepted.receipt


def run_hourly(lambdas: Any) -> None:
    event = lambdas.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    assert lambdas.lambda_.invoke("publish_embargoes", event).payload is None


def test_the_hourly_run_discloses_what_is_due_once_and_leaves_the_rest(
    lambdas, aws, outbox
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    due, _receipt = fixed()
    ahead, _other = fixed()
    # Planned yesterday for an hour ago (the clock moved on since), and for tomorrow.
    yesterday = replace(bootstrap.ports(), clock=lambda: now - timedelta(days=1))
    embargo.plan(yesterday, "alice", due, now - timedelta(hours=1))
    embargo.plan(bootstrap.ports(), "alice", ahead, now + timedelta(days=1))
    outbox.pump()
    team_queue(aws.team_queue_url)  # what came before the runs

    run_hourly(lambdas)
    run_hourly(lambdas)  # the next hour, or a retried invocation
    assert outbox.pump() == []

    published, waiting = bootstrap.ports().reports.get(due), bootstrap.ports().reports.get(ahead)
    assert published is not None and waiting is not None
    assert (published.status, published.disclosed_at) == ("disclosed", now - timedelta(hours=1))
    assert published.disclosure_planned is None
    assert (waiting.status, waiting.disclosure_planned) == ("fixed", now + timedelta(days=1))
    notices = [json.loads(json.loads(body)["Message"]) for body in team_queue(aws.team_queue_url)]
    assert [(n["report_id"], n["event"], n.get("change")) for n in notices] == [
        (due, "report.status_changed", None),
        (due, "report.updated", "credit"),  # the reporter's consented credit, published
    ]


def test_the_reporter_sees_the_planned_date_in_json_and_on_the_page(lambdas, aws) -> None:
    report_id, receipt = fixed()
    planned = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    embargo.plan(bootstrap.ports(), "alice", report_id, planned)
    auth = {"Authorization": f"Bearer {receipt}"}

    view = json.loads(lambdas.http.get(f"/reports/{report_id}", headers=auth).body)
    page = lambdas.http.post(
        "/status",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        body=urlencode({"report_id": report_id, "receipt": receipt}),
    ).body.decode()

    day = planned.date().isoformat()
    assert (view["status"], view["disclosure_planned"]) == ("fixed", day)
    assert view["next_promise"] == {"promise": "disclose", "by": day}
    assert f'Planned disclosure</dt><dd id="r-planned"><time datetime="{day}">' in page


def test_a_consented_credit_goes_public_with_the_disclosure_and_no_other(lambdas, aws) -> None:
    # Given four fixed reports: three due (consented, declined, anonymous), one ahead
    now = datetime.now(UTC).replace(microsecond=0)
    yesterday = replace(bootstrap.ports(), clock=lambda: now - timedelta(days=1))
    consented, declined, anonymous, ahead = (
        fixed(fields)[0]
        for fields in (
            ADVISORY_REPORT,
            DECLINED_ADVISORY_REPORT,
            ANONYMOUS_ADVISORY_REPORT,
            {**ADVISORY_REPORT, "credit": {"wants_credit": True, "name": "later_l"}},
        )
    )
    for report_id in (consented, declined, anonymous):
        embargo.plan(yesterday, "alice", report_id, now - timedelta(hours=1))
    embargo.plan(bootstrap.ports(), "alice", ahead, now + timedelta(days=1))
    sealed_before = credits.public_credits(bootstrap.ports())

    # When the hourly function runs
    run_hourly(lambdas)

    # Then only the consented, due credit is on the public list, dated today
    listed = credits.public_credits(bootstrap.ports())
    assert sealed_before == []  # sealed when planned, not published
    assert [(c.name, c.date) for c in listed] == [("grace_h", now.date())]
    stored = {r: bootstrap.ports().reports.get(r) for r in (consented, declined, anonymous)}
    assert {r: (s.status, s.credit_published_at is not None) for r, s in stored.items() if s} == {
        consented: ("disclosed", True),
        declined: ("disclosed", False),
        anonymous: ("disclosed", False),
    }
