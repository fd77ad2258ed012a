"""Every dependency x every way it fails: no report lost or doubled, no notification lost
or doubled.

A submission writes S3 parts -> DynamoDB metadata and publishes nothing; the table's stream
hands each inserted item to the publisher, which notifies the team through SNS. A KMS, S3
or DynamoDB failure is a 503 with Retry-After and nothing visible (an orphan blob is
removed by the next orphan sweep); the reporter's retry after healing stores the report
once. An SNS failure never reaches the reporter: the report is stored (201), the publisher
reports the first record it could not deliver, and once SNS is back the stream hands that
record and those after it over again: each missed notification arrives once, and none
delivered before is repeated.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.api.helpers import post_report
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
    row.update(reports=len(accepted), notices=len(intake.notices), lost=lost, doubled=doubled)
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
    """One report notified before the fault, two submitted during it; the stream triggers
    the publisher twice while SNS is down and once after."""
    before = post_report(intake.api)
    assert before.status_code == 201
    intake.notices += _delivered(intake)
    with injected("sns", kind) as fault:
        answers = [post_report(intake.api) for _ in range(2)]
        missed = [json.loads(a.body)["report_id"] for a in answers if a.status_code == 201]
        failed, failed_again = intake.stream.pump(), intake.stream.pump()
        stored = set(_meta_items(intake))
        intake.notices += _drain(intake)

    row["answer"] = " ".join(str(a.status_code) for a in answers)
    assert [a.status_code for a in answers] == [201, 201], row
    assert stored >= set(missed)  # kept, whatever SNS does
    # The publisher reports the first report it could not announce, and no other, each time
    assert failed == failed_again == [_sequence_of(intake, missed[0])], row
    assert intake.notices == [json.loads(before.body)["report_id"]]
    row["stored under fault"] = f"{len(missed)} reports, 1 record failed"

    healed, again = intake.stream.pump(), intake.stream.pump()
    delivered = _drain(intake)
    assert healed == again == [], row
    assert delivered == missed, row  # exactly the missed ones, in order; none repeated
    intake.notices += delivered
    row["after heal"] = f"stream delivered {len(delivered)} missed, 0 again"
    return fault, [json.loads(before.body)["report_id"], *missed]


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
    sqs, received = intake.client("sqs"), []
    while True:
        messages = sqs.receive_message(
            QueueUrl=intake.team_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return received
        for message in messages:
            event = json.loads(json.loads(message["Body"])["Message"])
            if event["event"] == "report.received":
                received.append(event["report_id"])
            sqs.delete_message(
                QueueUrl=intake.team_queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
