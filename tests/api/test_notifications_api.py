"""The team's notifications come from the table's stream: every inserted report or event
item becomes a notification on the team's queue, none carries what anyone wrote, and a
batch handed over again repeats each event_id (so a subscriber can drop the repeat)."""

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

from chalicelib import bootstrap
from chalicelib.usecases.sweeps import sla_sweep
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import acknowledge, add_note, assign, set_severity
from tests.api.helpers import JSON, notification, post_report, stored_items, team_queue
from tests.builders import ANN, CANARY_REPORT, CANARY_TEXTS

CRITICAL_31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
FOLLOW_UP = "Follow-up canary: the token 51d2-follow-up-canary still works."
REPLY = "Reply canary: thanks, the fix 8e0a-reply-canary is on its way."
NOTE = "Note canary: same root cause as 3b7c-note-canary."
ASSIGNEE = "bob-assignee-canary@example.com"
WRITTEN = [*CANARY_TEXTS.values(), FOLLOW_UP, REPLY, NOTE, ASSIGNEE, "Canary Reporter"]
# What a message may carry: ids, product, severity, status, dates, an event's own facts.
CONTENT_FREE = {
    "event", "event_id", "report_id", "product", "severity", "status", "acknowledge_by",
    "previous", "deadline", "due", "change",
}  # fmt: skip


def inserted_event_ids() -> set[str]:
    """The event_id each report or event item in the table should be announced under."""
    ids = set()
    for item in stored_items():
        partition, sort = item["PK"]["S"], item["SK"]["S"]
        if not partition.startswith("REPORT#"):
            continue
        report_id = partition.removeprefix("REPORT#")
        if sort == "META":
            ids.add(f"{report_id}/received")
        elif sort.startswith("EVENT#"):
            ids.add(f"{report_id}/{item['event_id']['S']}")
    return ids


def a_report_with_a_history(api: Any) -> str:
    """Submitted and followed up over HTTP; acknowledged with a reply, rated, assigned,
    noted, read by the team; one SLA deadline breached a month on."""
    accepted = json.loads(post_report(api, CANARY_REPORT).body)
    report_id = accepted["report_id"]
    follow_up = api.post(
        f"/reports/{report_id}/messages",
        headers={**JSON, "Authorization": f"Bearer {accepted['receipt']}"},
        body=json.dumps({"message": FOLLOW_UP}),
    )
    assert follow_up.status_code == 201
    ports = bootstrap.ports()
    acknowledge(ports, ANN, report_id, message=REPLY)
    set_severity(ports, ANN, report_id, CRITICAL_31)
    assign(ports, ANN, report_id, ASSIGNEE)
    add_note(ports, ANN, report_id, NOTE)
    show_report(ports, report_id, actor=ANN)
    month_on = replace(ports, clock=lambda: bootstrap.clock() + timedelta(days=30))
    assert sla_sweep(month_on)
    return report_id


def test_every_report_and_event_insert_reaches_the_team_without_content(api, aws, outbox) -> None:
    report_id = a_report_with_a_history(api)
    expected = inserted_event_ids()
    assert team_queue(aws.team_queue_url) == []  # nothing is published by the writes

    assert outbox.pump() == []
    bodies = team_queue(aws.team_queue_url)

    notices = [notification(body) for body in bodies]
    assert Counter(n["event_id"] for n in notices) == Counter(expected)  # each one, once
    assert {n["report_id"] for n in notices} == {report_id}
    assert {n["event"] for n in notices} == {
        "report.received",
        "report.message_received",
        "report.status_changed",
        "report.replied",
        "report.updated",
        "report.sla_breached",
    }
    assert sorted(n["change"] for n in notices if n["event"] == "report.updated") == [
        "assigned",
        "decrypted",
        "note",
        "severity",
    ]
    [status] = [n for n in notices if n["event"] == "report.status_changed"]
    assert (status["status"], status["previous"]) == ("acknowledged", "received")
    for body, notice in zip(bodies, notices, strict=True):
        assert set(notice) <= CONTENT_FREE, notice
        for text in WRITTEN:
            assert text not in body


def test_a_batch_handed_over_twice_repeats_each_event_id(api, aws, outbox) -> None:
    from app import publish_events

    accepted = json.loads(post_report(api, CANARY_REPORT).body)
    acknowledge(bootstrap.ports(), ANN, accepted["report_id"], message=REPLY)
    records = outbox.records()

    answers = [publish_events({"Records": records}, None) for _ in range(2)]  # a retry

    assert answers == [{"batchItemFailures": []}] * 2
    deliveries: dict[str, list[dict[str, Any]]] = {}
    for body in team_queue(aws.team_queue_url):
        notice = notification(body)
        deliveries.setdefault(notice["event_id"], []).append(notice)
    assert set(deliveries) == inserted_event_ids()  # received, status, reply
    assert len(deliveries) == 3
    for first, again in deliveries.values():
        assert again == first  # the same message: a subscriber drops it by its event_id
