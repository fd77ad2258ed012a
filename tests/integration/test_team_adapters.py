"""The team's adapter methods against moto: rev-locked transactions, claims, versions, SNS."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.dynamodb import DynamoReports
from chalicelib.adapters.s3 import S3Blobs
from chalicelib.adapters.sns import SnsNotifier, SnsSubscriptions
from chalicelib.adapters.sts import StsIdentity
from chalicelib.domain.errors import Conflict, Unavailable
from chalicelib.domain.records import ReportEvent
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
    reports.mark_notified(ID)  # written by the intake after our read

    reports.update(before, before.model_copy(update={"duplicate_of": None, "rev": 2}), [])

    stored = reports.get(ID)
    assert stored.duplicate_of is None and stored.notified is True


NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)  # past a 5-minute lease


def test_deadline_lease_then_confirm_announces_once_per_due_date(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record(ID))
    lease = NOW + timedelta(minutes=5)

    first = reports.claim_deadline(ID, "acknowledge", "2026-11-25", NOW, lease)
    held = reports.claim_deadline(ID, "acknowledge", "2026-11-25", NOW, lease)
    other = reports.claim_deadline(ID, "triage", "2026-12-07", NOW, lease)
    reports.release_deadline(ID, "triage")
    again = reports.claim_deadline(ID, "triage", "2026-12-07", NOW, lease)
    reports.confirm_deadline(ID, "acknowledge", "2026-11-25")
    after = reports.claim_deadline(
        ID, "acknowledge", "2026-11-25", LATER, LATER + timedelta(minutes=5)
    )

    assert (first, held, other, again, after) == (True, False, True, True, False)
    assert reports.get(ID).sla_announced == {"acknowledge": "2026-11-25"}
    assert reports.claim_deadline("VDP-0000-0000", "acknowledge", "2026-11-25", NOW, lease) is False


def test_a_dead_sweeps_deadline_lease_runs_out(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record(ID))
    reports.claim_deadline(ID, "acknowledge", "2026-11-25", NOW, NOW + timedelta(minutes=5))

    assert reports.claim_deadline(ID, "acknowledge", "2026-11-25", LATER, LATER) is True


def test_unnotified_finds_old_received_reports_without_a_scan(aws) -> None:
    reports = DynamoReports(boto("dynamodb"), "vdp-local")
    reports.create(record("VDP-0000-0001", minute=0))
    reports.create(record("VDP-0000-0002", minute=1))
    reports.create(record("VDP-0000-0003", minute=9))
    reports.mark_notified("VDP-0000-0002")
    cutoff = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)
    lease = NOW + timedelta(minutes=5)

    waiting = [r.report_id for r in reports.unnotified(cutoff)]
    claims = [reports.claim_notification("VDP-0000-0001", NOW, lease) for _ in range(2)]
    taken_over = reports.claim_notification("VDP-0000-0001", LATER, LATER)
    reports.release_notification("VDP-0000-0001")

    assert waiting == ["VDP-0000-0001"]
    assert claims == [True, False] and taken_over is True
    assert reports.get("VDP-0000-0001").notified is False
    reports.mark_notified("VDP-0000-0001")
    assert reports.claim_notification("VDP-0000-0001", LATER, LATER) is False


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
