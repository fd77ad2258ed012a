"""The team's adapter methods against moto: rev-locked transactions, breaches recorded once,
versions, SNS."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.messages.sns import SnsNotifier, SnsSubscriptions
from chalicelib.adapters.store.dynamodb import DynamoReports
from chalicelib.adapters.store.s3 import S3Blobs
from chalicelib.adapters.sts import StsIdentity
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.report.records import ReportEvent
from tests.builders import ANN, record
from tests.conftest import boto
from tests.integration.helpers import queue

ID = "VDP-7K3M-9QX2"


def status_event(status: str) -> ReportEvent:
    return ReportEvent(
        at=datetime(2026, 11, 23, tzinfo=UTC), kind="status", public=True, status=status, actor=ANN
    )


def test_update_saves_changes_and_events_together_and_bumps_rev(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    before = record(ID)
    reports.create(before)
    after = before.model_copy(update={"status": "triaged", "assignee": "bob", "rev": 2})

    reports.update(before, after, [status_event("triaged")])

    assert reports.get(ID) == after
    assert [e.status for e in reports.events(ID)] == ["triaged"]
    assert [r.report_id for r in reports.by_status("triaged")] == [ID]


def test_update_from_a_stale_copy_is_a_conflict_and_writes_nothing(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    before = record(ID)
    reports.create(before)
    reports.update(before, before.model_copy(update={"status": "acknowledged", "rev": 2}), [])

    with pytest.raises(Conflict, match="changed by someone else"):
        stale = before.model_copy(update={"status": "spam", "rev": 2})
        reports.update(before, stale, [status_event("spam")])

    assert reports.get(ID).status == "acknowledged"
    assert reports.events(ID) == []  # no orphan event from the losing side


def test_update_removes_cleared_fields_and_keeps_concurrent_flags(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    before = record(ID).model_copy(update={"duplicate_of": "VDP-0000-0001"})
    reports.create(before)
    reports.record_breach(ID, "acknowledge", "2026-11-25", breach_event("acknowledge"))  # a sweep

    reports.update(before, before.model_copy(update={"duplicate_of": None, "rev": 2}), [])

    stored = reports.get(ID)
    assert stored.duplicate_of is None and stored.sla_announced == {"acknowledge": "2026-11-25"}


NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


def breach_event(deadline: str, due: str = "2026-11-25") -> ReportEvent:
    return ReportEvent(
        at=NOW, kind="sla_breached", public=False, deadline=deadline, due=date.fromisoformat(due)
    )


def test_a_breach_is_recorded_once_per_due_date_with_its_event(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record(ID))

    first = reports.record_breach(ID, "acknowledge", "2026-11-25", breach_event("acknowledge"))
    again = reports.record_breach(ID, "acknowledge", "2026-11-25", breach_event("acknowledge"))
    other = reports.record_breach(ID, "triage", "2026-12-07", breach_event("triage", "2026-12-07"))
    moved = reports.record_breach(ID, "triage", "2026-12-09", breach_event("triage", "2026-12-09"))

    assert (first, again, other, moved) == (True, False, True, True)
    assert reports.get(ID).sla_announced == {"acknowledge": "2026-11-25", "triage": "2026-12-09"}
    assert sorted((e.kind, e.deadline, str(e.due)) for e in reports.events(ID)) == [
        ("sla_breached", "acknowledge", "2026-11-25"),
        ("sla_breached", "triage", "2026-12-07"),
        ("sla_breached", "triage", "2026-12-09"),
    ]  # the refused one left no event


def test_a_breach_of_a_report_that_does_not_exist_records_nothing(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")

    assert reports.record_breach(ID, "acknowledge", "2026-11-25", breach_event("acknowledge")) is (
        False
    )
    assert reports.get(ID) is None and reports.events(ID) == []


def test_s3_versions_lists_and_deletes_every_version_and_marker(aws) -> None:
    s3 = boto("s3")
    blobs = S3Blobs(s3, "vdp-local-reports")
    blobs.put_new("reports/VDP-0000-0001/report.enc", b"one")
    s3.delete_object(Bucket="vdp-local-reports", Key="reports/VDP-0000-0001/report.enc")
    blobs.put_new("reports/VDP-0000-0001/report.enc", b"two")
    blobs.put_new("reports/VDP-0000-0002/report.enc", b"keep")

    found = list(blobs.versions("reports/VDP-0000-0001/"))
    blobs.delete_versions(found)

    assert len(found) == 3  # two versions and a delete marker
    assert all(v.modified > datetime.now(UTC) - timedelta(minutes=5) for v in found)
    assert list(blobs.versions("reports/VDP-0000-0001/")) == []
    assert [v.key for v in blobs.versions("reports/")] == ["reports/VDP-0000-0002/report.enc"]


def test_sts_names_the_caller(aws) -> None:
    assert StsIdentity(boto("sts")).caller().startswith("arn:aws:")


def test_subscription_filter_policy_is_stored_and_listed(aws) -> None:
    topic = bootstrap.settings().topic_arn
    subscriptions = SnsSubscriptions(boto("sns"), topic)
    _, arn = queue("critical-only")

    created = subscriptions.subscribe("sqs", arn, {"severity": ["critical"]})

    listed = {s["arn"]: s for s in subscriptions.list()}
    assert listed[created]["filter_policy"] == {"severity": ["critical"]}
    assert listed[created]["endpoint"] == arn
    assert any(s["filter_policy"] is None for s in listed.values())  # the team queue


def test_filtered_subscriber_receives_matching_messages_only(aws) -> None:
    topic = bootstrap.settings().topic_arn
    url, arn = queue("critical-filter")
    SnsSubscriptions(boto("sns"), topic).subscribe("sqs", arn, {"severity": ["critical"]})
    notifier = SnsNotifier(boto("sns"), topic)

    for severity in ("low", "critical", "high"):
        notifier.publish({"severity": severity}, {"event": "report.received", "severity": severity})

    messages = boto("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(json.loads(m["Body"])["Message"])["severity"] for m in messages] == [
        "critical"
    ]


class CancelledBy:
    """A client whose transactions are cancelled for the given reason."""

    def __init__(self, code: str) -> None:
        self.code = code

    def transact_write_items(self, **_: object) -> None:
        from botocore.exceptions import ClientError

        response = {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": self.code}, {"Code": "None"}],
        }
        raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "error"), [("ConditionalCheckFailed", Conflict),
                                             ("ThrottlingError", Unavailable)])  # fmt: skip
def test_only_a_lost_condition_is_a_conflict(code: str, error: type) -> None:
    before = record(ID)

    with pytest.raises(error):
        DynamoReports(CancelledBy(code), "vdp-local").update(before, before, [])


def test_a_breach_cancelled_by_throttling_is_unavailable_not_recorded_before() -> None:
    with pytest.raises(Unavailable):
        DynamoReports(CancelledBy("ThrottlingError"), "vdp-local").record_breach(
            ID, "acknowledge", "2026-11-25", breach_event("acknowledge")
        )
