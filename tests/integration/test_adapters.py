"""Each adapter against moto: the calls, the conditions, the error translation."""

import json
from datetime import UTC, datetime

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.messages.sns import SnsNotifier
from chalicelib.adapters.store.dynamodb import DynamoReports
from chalicelib.adapters.store.kms import KmsKeys
from chalicelib.adapters.store.s3 import S3Blobs
from chalicelib.domain.errors import AlreadyExists, NotFound, Unavailable
from chalicelib.domain.report.records import ReportEvent
from tests.builders import record
from tests.conftest import boto

CONTEXT = {"report_id": "VDP-7K3M-9QX2", "part": "report"}


def test_kms_data_key_unwraps_only_with_its_context(aws) -> None:
    keys = KmsKeys(boto("kms"), "alias/vdp-local")
    data_key = keys.generate(CONTEXT)

    assert len(data_key.plaintext) == 32
    assert keys.unwrap(data_key.wrapped, CONTEXT) == data_key.plaintext
    with pytest.raises(Unavailable):
        keys.unwrap(data_key.wrapped, {**CONTEXT, "part": "reply"})


def test_kms_unknown_key_is_unavailable(aws) -> None:
    with pytest.raises(Unavailable) as caught:
        KmsKeys(boto("kms"), "alias/missing").generate(CONTEXT)
    assert caught.value.service == "kms"


def test_s3_part_is_written_once(aws) -> None:
    blobs = S3Blobs(boto("s3"), "vdp-local-reports")
    blobs.put_new("reports/a/report.enc", b"first")

    with pytest.raises(AlreadyExists):
        blobs.put_new("reports/a/report.enc", b"second")
    assert blobs.get("reports/a/report.enc") == b"first"


def test_s3_missing_part_and_missing_bucket(aws) -> None:
    with pytest.raises(NotFound):
        S3Blobs(boto("s3"), "vdp-local-reports").get("reports/none")
    with pytest.raises(Unavailable):
        S3Blobs(boto("s3"), "no-such-bucket").put_new("k", b"x")


def test_dynamodb_report_round_trip_and_no_overwrite(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record())

    with pytest.raises(AlreadyExists):  # another submission that drew the same id
        reports.create(record().model_copy(update={"product": "other", "receipt_hash": "1" * 64}))
    reports.create(record())  # a retry of the same write (its first answer lost) is success
    stored = reports.get("VDP-7K3M-9QX2")
    assert stored == record()
    assert reports.get("VDP-0000-0000") is None


def test_dynamodb_events_are_appended_in_time_order(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record())
    ann = "arn:aws:iam::123456789012:user/ann"
    later = ReportEvent(
        at=datetime(2026, 11, 21, tzinfo=UTC),
        kind="status",
        public=True,
        status="acknowledged",
        actor=ann,
    )
    earlier = ReportEvent(at=datetime(2026, 11, 20, 13, tzinfo=UTC), kind="note", public=False)

    reports.add_event("VDP-7K3M-9QX2", later)
    reports.add_event("VDP-7K3M-9QX2", earlier)

    assert reports.events("VDP-7K3M-9QX2") == [earlier, later]
    assert reports.get("VDP-7K3M-9QX2") == record()


def test_dynamodb_status_index_pages_newest_first(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    for minute in range(3):
        reports.create(record(f"VDP-0000-000{minute}", minute=minute))
    reports.create(record("VDP-1111-1111", status="spam"))

    received = [r.report_id for r in reports.by_status("received")]

    assert received == ["VDP-0000-0002", "VDP-0000-0001", "VDP-0000-0000"]


def test_sns_message_reaches_a_subscriber_with_attributes(aws) -> None:
    notifier = SnsNotifier(boto("sns"), bootstrap.settings().topic_arn)

    notifier.publish(
        {"event": "report.received", "report_id": "VDP-7K3M-9QX2"}, {"severity": "high"}
    )

    [message] = boto("sqs").receive_message(QueueUrl=aws.team_queue_url)["Messages"]
    envelope = json.loads(message["Body"])
    assert json.loads(envelope["Message"])["report_id"] == "VDP-7K3M-9QX2"
    assert envelope["MessageAttributes"]["severity"]["Value"] == "high"


def test_sns_unknown_topic_is_unavailable(aws) -> None:
    notifier = SnsNotifier(boto("sns"), "arn:aws:sns:us-east-1:123456789012:missing")

    with pytest.raises(Unavailable):
        notifier.publish({"event": "x"}, {})
