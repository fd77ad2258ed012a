"""Every dependency x every way it fails: no report lost or doubled, no notification lost
or doubled.

A submission writes S3 parts -> DynamoDB metadata and publishes nothing; the table's stream
hands each inserted item to the publisher, which notifies the team through SNS. A KMS, S3
or DynamoDB failure is a 503 with Retry-After and nothing visible (an orphan blob is
removed by the next orphan sweep); the reporter's retry after healing stores the report
once. An SNS failure never reaches the reporter: the report is stored (201), the publisher
reports the first record it could not deliver, and once SNS is back the stream hands that
record and those after it over again: each missed notification (of a report or of an event
such as the team's acknowledgement or a reporter's follow-up) arrives once, and none
delivered before is repeated.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.api.helpers import JSON, post_report
from tests.builders import ANN
from tests.faults.conftest import MATRIX, Intake, aws_client
from tests.faults.injection import KINDS, LOST_ANSWER, Fault, injected
from tests.outbox import TableStream

BUCKET, TABLE = "vdp-local-reports", "vdp-local"
# (service, operation): None is every operation; DynamoDB's PutItem is the metadata write,
# which fails after the encrypted parts are already in S3 (the orphan case).
TARGETS = [("kms", None), ("s3", None), ("dynamodb", None), ("dynamodb", "PutItem"), ("sns", None)]
CELLS = [(service, operation, kind) for service, operation in TARGETS for kind in KINDS]


@pytest.mark.parametrize(
    ("service", "operation", "kind"),
    CELLS,
    ids=[f"{s}{'-' + o if o else ''}-{k}" for s, o, k in CELLS],
)
def test_fault_cell(intake: Intake, service: str, operation: str | None, kind: str) -> None:
    row: dict[str, Any] = {
        "service": service + (f" {operation}" if operation else ""),
        "fault": kind,
    }
    if service == "sns":
        # Given SNS failing every attempt; When researchers submit and the stream triggers
        fault, accepted = _sns_down_then_back(intake, kind, row)
    else:
        # Given a storage dependency that fails every attempt; When a researcher submits
        with injected(service, kind, operation) as fault:
            answer = post_report(intake.api)
        # Then the answer, what is visible, and what happens once it heals
        accepted = _refused_then_retried(intake, answer, row)
    row["failed attempts"] = ", ".join(f"{op} x{n}" for op, n in Counter(fault.operations).items())
    lost, doubled = _audit(intake, accepted)
    row.update(reports=len(accepted), lost=lost, doubled=doubled)
    row.setdefault("notices", len(intake.notices))  # SNS cells count their event notices too
    MATRIX.append(row)

    # Every failing call went through all of botocore's attempts, and each one failed
    # (botocore does not retry an answer it cannot parse: SNS's reading of a proxy page).
    unparsed = (service, kind) == ("sns", "proxy_page")
    attempts_per_call = 1 if unparsed else fault.max_attempts
    assert fault.max_attempts > 1 and fault.attempts % attempts_per_call == 0, row
    if service == "sns":  # the publisher's two tries at one record; no request called SNS
        assert fault.attempts == 2 * attempts_per_call, row
        assert set(fault.operations) == {"Publish"}, row
    assert (lost, doubled) == (0, 0), row


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("s3", "PutObject"),
        ("dynamodb", "PutItem"),
    ],
)
def test_lost_answer_to_a_write(intake: Intake, service: str, operation: str) -> None:
    """The write lands, its answer is lost, botocore retries the conditional write."""
    with injected(service, LOST_ANSWER, operation):
        answer = post_report(intake.api)
    stored = len(_meta_items(intake))
    swept = _orphan_sweep()  # the next scheduled run
    intake.notices += _delivered(intake)
    accepted = [json.loads(answer.body)["report_id"]] if answer.status_code == 201 else []
    lost, doubled = _audit(intake, accepted)
    MATRIX.append(
        {
            "service": f"{service} {operation}",
            "fault": "answer lost",
            "failed attempts": f"{operation} x1 (landed)",
            "answer": str(answer.status_code),
            "stored under fault": f"{stored} report(s)",
            "after heal": f"sweep removed {len(swept)}",
            "reports": len(accepted),
            "notices": len(intake.notices),
            "lost": lost,
            "doubled": doubled,
        }
    )
    assert answer.status_code == 201
    assert (lost, doubled) == (0, 0)


def _refused_then_retried(intake: Intake, answer: Any, row: dict[str, Any]) -> list[str]:
    row["answer"] = f"{answer.status_code} Retry-After {answer.headers.get('Retry-After')}"
    assert answer.status_code == 503, row
    assert json.loads(answer.body)["error"]["code"] == "unavailable"
    assert answer.headers["Retry-After"].isdigit()
    orphans = _report_ids_in_s3(intake)
    row["stored under fault"] = f"orphan blobs ({len(orphans)} report)" if orphans else "nothing"
    assert _meta_items(intake) == {}
    intake.notices += _delivered(intake)
    assert intake.notices == []

    swept = _orphan_sweep()
    assert _versions(intake) == []  # every version of every orphan is gone
    retry = post_report(intake.api)
    assert retry.status_code == 201
    row["after heal"] = f"sweep removed {len(swept)}; retry {retry.status_code}"
    intake.notices += _delivered(intake)
    return [json.loads(retry.body)["report_id"]]


def _sns_down_then_back(intake: Intake, kind: str, row: dict[str, Any]) -> tuple[Fault, list[str]]:
    """One report notified before the fault. During it two reports are submitted, the team
    acknowledges the first report with a reply (its use case) and the second report's
    reporter follows it up; the stream triggers the publisher twice while SNS is down and
    twice after. Every report and event item inserted is then announced, each once."""
    from chalicelib import bootstrap
    from chalicelib.usecases.team.triage import acknowledge

    before = post_report(intake.api)
    assert before.status_code == 201
    first = json.loads(before.body)["report_id"]
    assert intake.stream.pump() == []
    early = _notifications(intake)
    intake.notices += _received(early)
    with injected("sns", kind) as fault:
        answers = [post_report(intake.api) for _ in range(2)]
        missed = [json.loads(a.body)["report_id"] for a in answers if a.status_code == 201]
        acknowledge(bootstrap.ports(), ANN, first, message="Thanks, we are on it.")
        follow_up = intake.api.post(
            f"/reports/{missed[-1]}/messages",
            headers={**JSON, "Authorization": f"Bearer {json.loads(answers[-1].body)['receipt']}"},
            body=json.dumps({"message": "One more detail: it also works over HTTP/2."}),
        )
        failed, failed_again = intake.stream.pump(), intake.stream.pump()
        stored = set(_meta_items(intake))
        during = _notifications(intake)

    row["answer"] = " ".join(str(a.status_code) for a in answers) + f" msg {follow_up.status_code}"
    assert [a.status_code for a in answers] == [201, 201] and follow_up.status_code == 201, row
    assert stored >= set(missed)  # kept, whatever SNS does
    # The publisher reports the first item it could not announce, and no other, each time
    assert failed == failed_again == [_sequence_of(intake, missed[0])], row
    assert during == [] and [m["event_id"] for m in early] == [f"{first}/received"], row
    inserted = _inserted_event_ids(intake)
    events = len([i for i in inserted if not i.endswith("/received")])
    row["stored under fault"] = f"{len(missed)} reports + {events} events"

    healed, again = intake.stream.pump(), intake.stream.pump()
    after = _notifications(intake)
    delivered = Counter(m["event_id"] for m in after)
    assert healed == again == [], row
    assert _received(after) == missed, row  # the missed reports, in order
    assert set(delivered.values()) == {1}, row  # each missed notification exactly once
    assert not delivered.keys() & {m["event_id"] for m in early}, row  # none repeated
    announced = delivered.keys() | {m["event_id"] for m in early}
    assert announced == _inserted_event_ids(intake), row  # every report and event item
    names = {m["event"] for m in after}
    assert {"report.status_changed", "report.replied", "report.message_received"} <= names
    intake.notices += _received(after)
    row["notices"] = len(early) + len(after)
    row["after heal"] = f"delivered {len(after)} missed, 0 again"
    return fault, [first, *missed]


def _audit(intake: Intake, accepted: list[str]) -> tuple[int, int]:
    """Lost: an accepted report missing its metadata, its blob or its notice.
    Doubled: a second blob version or notice, or metadata/blobs no answer accounts for."""
    metas = _meta_items(intake)
    blobs = Counter(v["Key"] for v in _versions(intake))
    notices = Counter(intake.notices)
    lost = sum(
        1
        for report_id in accepted
        if report_id not in metas
        or not blobs[f"reports/{report_id}/report.enc"]
        or not notices[report_id]
    )
    doubled = sum(max(0, blobs[f"reports/{r}/report.enc"] - 1) for r in accepted)
    doubled += sum(max(0, notices[r] - 1) for r in accepted)
    doubled += len(set(metas) - set(accepted)) + len(_report_ids_in_s3(intake) - set(accepted))
    doubled += sum(count for report_id, count in notices.items() if report_id not in accepted)
    return lost, doubled


def _later() -> Any:
    """vdp's ports as the next scheduled run sees them, two days on."""
    from chalicelib import bootstrap

    ports = bootstrap.ports()
    return replace(ports, clock=lambda: bootstrap.clock() + timedelta(days=2))


def _orphan_sweep() -> list[str]:
    from chalicelib.usecases.sweeps import orphan_sweep

    return orphan_sweep(_later())


def _meta_items(intake: Intake) -> dict[str, dict[str, Any]]:
    items = intake.client("dynamodb").scan(TableName=TABLE)["Items"]
    return {
        item["PK"]["S"].removeprefix("REPORT#"): item
        for item in items
        if item["PK"]["S"].startswith("REPORT#") and item["SK"]["S"] == "META"
    }


def _versions(intake: Intake) -> list[dict[str, Any]]:
    answer = intake.client("s3").list_object_versions(Bucket=BUCKET)
    return [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]


def _report_ids_in_s3(intake: Intake) -> set[str]:
    return {v["Key"].split("/")[1] for v in _versions(intake) if v["Key"].startswith("reports/")}


def _delivered(intake: Intake) -> list[str]:
    """What the stream's trigger delivers now (nothing may fail): report.received ids."""
    assert intake.stream.pump() == []
    return _drain(intake)


def _sequence_of(intake: Intake, report_id: str) -> str:
    """The stream's sequence number of a report's insert (read from the oldest record)."""
    stream = TableStream(
        aws_client(intake.endpoint, "dynamodb"),
        aws_client(intake.endpoint, "dynamodbstreams"),
        handler=lambda event, context: None,
    )
    [sequence] = [
        record["dynamodb"]["SequenceNumber"]
        for record in stream.records()
        if record["eventName"] == "INSERT"
        and record["dynamodb"]["Keys"] == {"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}}
    ]
    return str(sequence)


def _drain(intake: Intake) -> list[str]:
    """report ids of every report.received the team queue holds (and empty it)."""
    return _received(_notifications(intake))


def _received(notifications: list[dict[str, str]]) -> list[str]:
    return [n["report_id"] for n in notifications if n["event"] == "report.received"]


def _notifications(intake: Intake) -> list[dict[str, str]]:
    """Every notification the team queue holds, in order (and empty it)."""
    sqs, found = intake.client("sqs"), list[dict[str, str]]()
    while True:
        messages = sqs.receive_message(
            QueueUrl=intake.team_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(
                QueueUrl=intake.team_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )


def _inserted_event_ids(intake: Intake) -> set[str]:
    """The event_id each report and event item in the table is announced under."""
    ids = set()
    for item in intake.client("dynamodb").scan(TableName=TABLE)["Items"]:
        partition, sort = item["PK"]["S"], item["SK"]["S"]
        report_id = partition.removeprefix("REPORT#")
        if partition.startswith("REPORT#") and sort == "META":
            ids.add(f"{report_id}/received")
        elif partition.startswith("REPORT#") and sort.startswith("EVENT#"):
            ids.add(f"{report_id}/{item['event_id']['S']}")
    return ids
