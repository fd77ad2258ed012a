"""CloudTrail's Decrypt records of a report: found among the account's, merged into the
timeline in time order, each row marked as vdp's or CloudTrail's."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.errors import Unavailable
from tests.cloudtrail_samples import (
    ALICE,
    MALLORY,
    OTHER_REPORT_ID,
    decrypt_event,
    s3_bucket_decrypt,
)
from vdp.cli.reports.cloudtrail import (
    DECRYPT,
    CloudTrailDecrypts,
    DecryptRecord,
    decrypts_of,
    merged,
)

REPORT_ID = "VDP-7K3M-9QX2"


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
