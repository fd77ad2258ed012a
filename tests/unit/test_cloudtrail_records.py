"""CloudTrail's Decrypt records of a report: found among the account's, merged into the
timeline in time order, each row marked as vdp's or CloudTrail's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.errors import Unavailable
from vdp.cli.reports.cloudtrail import (
    DECRYPT,
    CloudTrailDecrypts,
    DecryptRecord,
    decrypts_of,
    merged,
)

REPORT_ID = "VDP-7K3M-9QX2"
OTHER_REPORT_ID = "VDP-4HJD-2WPQ"
ALICE = "arn:aws:sts::123456789012:assumed-role/vdp-team/alice"
MALLORY = "arn:aws:iam::123456789012:user/mallory"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def decrypt_event(
    at: str,
    context: dict[str, str] | None,
    *,
    arn: str = ALICE,
    source_ip: str = "203.0.113.7",
    error: str | None = None,
    event_id: str = "d6c2a4a0-3b1e-4a7e-9d55-0f1c2b3a4d5e",
) -> dict[str, Any]:
    """A LookupEvents event as CloudTrail returns a KMS Decrypt: the record as JSON text."""
    identity = {
        "type": "AssumedRole" if ":assumed-role/" in arn else "IAMUser",
        "principalId": "AROAEXAMPLEID:alice",
        "arn": arn,
        "accountId": "123456789012",
        "accessKeyId": "ASIAEXAMPLEKEY",
    }
    parameters: dict[str, Any] = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    if context is not None:
        parameters["encryptionContext"] = context
    record: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": identity,
        "eventTime": at,
        "eventSource": "kms.amazonaws.com",
        "eventName": "Decrypt",
        "awsRegion": "us-east-1",
        "sourceIPAddress": source_ip,
        "userAgent": "Boto3/1.44.5 Python/3.11.9 Linux/6.1.0 Botocore/1.44.5",
        "requestParameters": parameters,
        "responseElements": None,
        "requestID": "4f2c8e7a-1b3d-4c5e-8f9a-0b1c2d3e4f5a",
        "eventID": event_id,
        "readOnly": True,
        "resources": [{"accountId": "123456789012", "type": "AWS::KMS::Key", "ARN": KEY_ARN}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = "User is not authorized to perform: kms:Decrypt"
    return {
        "EventId": event_id,
        "EventName": "Decrypt",
        "ReadOnly": "true",
        "EventTime": datetime.fromisoformat(at),
        "EventSource": "kms.amazonaws.com",
        "Username": arn.rsplit("/", 1)[-1],
        "Resources": [{"ResourceType": "AWS::KMS::Key", "ResourceName": KEY_ARN}],
        "CloudTrailEvent": json.dumps(record),
    }


def s3_bucket_decrypt(at: str) -> dict[str, Any]:
    """S3 opening an object under SSE-KMS on a caller's behalf: no report in its context."""
    event = decrypt_event(at, {"aws:s3:arn": "arn:aws:s3:::vdp-reports/inbound/mail-1"})
    record = json.loads(event["CloudTrailEvent"])
    record["userIdentity"]["invokedBy"] = "s3.amazonaws.com"
    record["sourceIPAddress"] = "s3.amazonaws.com"
    return {**event, "CloudTrailEvent": json.dumps(record)}


class FakeCloudTrail:
    """A cloudtrail client's paginator over fixed pages; records what was asked."""

    def __init__(self, *pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def get_paginator(self, operation: str) -> FakeCloudTrail:
        self.operation = operation
        return self

    def paginate(self, **params: Any) -> list[dict[str, Any]]:
        self.asked.append((self.operation, params))
        return [{"Events": page} for page in self.pages]


def test_only_the_reports_own_decrypts_are_kept_from_every_page_oldest_first() -> None:
    since = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    client = FakeCloudTrail(
        [
            decrypt_event("2026-03-01T11:00:00Z", {"report_id": REPORT_ID, "part": "attachment-0"}),
            decrypt_event("2026-03-01T10:00:00Z", {"report_id": OTHER_REPORT_ID, "part": "report"}),
            s3_bucket_decrypt("2026-03-01T10:30:00Z"),
            decrypt_event("2026-03-01T10:45:00Z", None),  # a Decrypt without any context
        ],
        [decrypt_event("2026-03-01T10:15:00Z", {"report_id": REPORT_ID, "part": "report"})],
    )

    records = CloudTrailDecrypts(client).of_report(REPORT_ID, since)

    assert client.asked == [("lookup_events", {"LookupAttributes": DECRYPT, "StartTime": since})]
    assert DECRYPT == [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]
    assert [(r.at.isoformat(), r.part) for r in records] == [
        ("2026-03-01T10:15:00+00:00", "report"),
        ("2026-03-01T11:00:00+00:00", "attachment-0"),
    ]


def test_a_record_names_who_from_where_and_a_refusal() -> None:
    events = [
        decrypt_event(
            "2026-03-02T08:00:00Z",
            {"report_id": REPORT_ID, "part": "report"},
            arn=MALLORY,
            source_ip="198.51.100.23",
            error="AccessDenied",
            event_id="0a1b2c3d",
        )
    ]

    [record] = decrypts_of(REPORT_ID, events)

    assert record == DecryptRecord(
        at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        actor=MALLORY,
        part="report",
        source="198.51.100.23",
        event_id="0a1b2c3d",
        error="AccessDenied",
    )


def test_a_service_calling_on_a_callers_behalf_is_named_as_the_source() -> None:
    event = s3_bucket_decrypt("2026-03-02T08:00:00Z")
    record = json.loads(event["CloudTrailEvent"])
    record["requestParameters"]["encryptionContext"] = {"report_id": REPORT_ID, "part": "report"}

    [found] = decrypts_of(REPORT_ID, [{**event, "CloudTrailEvent": json.dumps(record)}])

    assert found.source == "s3.amazonaws.com"
    assert found.actor == ALICE


@pytest.mark.parametrize("text", ["<html>proxy error</html>", None])
def test_an_answer_that_is_not_cloudtrails_is_an_unavailable_service(text: str | None) -> None:
    with pytest.raises(Unavailable) as raised:
        list(decrypts_of(REPORT_ID, [{"EventName": "Decrypt", "CloudTrailEvent": text}]))

    assert raised.value.service == "cloudtrail"


def vdp_row(at: str, kind: str, actor: str) -> dict[str, Any]:
    return {"at": at, "kind": kind, "status": None, "actor": actor, "detail": None}


def test_merged_rows_interleave_by_time_and_say_whose_they_are() -> None:
    rows = [
        vdp_row("2026-03-01T09:00:00.120000Z", "status", "reporter"),
        vdp_row("2026-03-01T10:15:00Z", "decrypted", ALICE),
        vdp_row("2026-03-01T12:00:00.500000Z", "note", ALICE),
    ]
    records = list(
        decrypts_of(
            REPORT_ID,
            [
                decrypt_event("2026-03-01T10:15:00Z", {"report_id": REPORT_ID, "part": "report"}),
                decrypt_event("2026-03-01T11:00:00Z", {"report_id": REPORT_ID, "part": "contact"}),
            ],
        )
    )

    timeline = merged(rows, records)

    assert [(row["record"], row["kind"]) for row in timeline] == [
        ("vdp", "status"),
        ("vdp", "decrypted"),  # vdp writes its event before it decrypts: first at a tie
        ("cloudtrail", "kms_decrypt"),
        ("cloudtrail", "kms_decrypt"),
        ("vdp", "note"),
    ]
    contact = timeline[3]
    assert contact["at"] == "2026-03-01T11:00:00Z"
    assert contact["actor"] == ALICE and contact["part"] == "contact"
    assert contact["detail"] == "part contact from 203.0.113.7"


def test_a_refused_decrypt_says_so_in_its_detail() -> None:
    [record] = decrypts_of(
        REPORT_ID,
        [
            decrypt_event(
                "2026-03-01T10:00:00Z",
                {"report_id": REPORT_ID, "part": "report"},
                arn=MALLORY,
                error="AccessDenied",
            )
        ],
    )

    [row] = merged([], [record])

    assert row["detail"] == "part report from 203.0.113.7, refused: AccessDenied"
    assert row["error"] == "AccessDenied" and row["actor"] == MALLORY
