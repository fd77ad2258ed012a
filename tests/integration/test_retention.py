"""The retention purge against moto: every S3 version and every DynamoDB item goes."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import add_message
from chalicelib.usecases.retention import purge
from chalicelib.usecases.team.triage import change_status
from tests.builders import BASE, REPORT
from tests.conftest import boto
from tests.unit.fakes import FRIDAY_NOON
from vdp.cli.main import main

BUCKET, TABLE = "vdp-local-reports", "vdp-local"


def at(moment: datetime) -> Ports:
    return replace(bootstrap.ports(), clock=lambda: moment)


def spam(moment: datetime) -> tuple[str, str]:
    accepted = submit_report(REPORT, at(moment), base_url=BASE)
    change_status(at(moment), "alice", accepted.report_id, "spam")
    return accepted.report_id, accepted.receipt


def s3_versions(report_id: str) -> list[Any]:
    answer = boto("s3").list_object_versions(Bucket=BUCKET, Prefix=f"reports/{report_id}/")
    return [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]


def dynamo_items(report_id: str) -> list[Any]:
    return boto("dynamodb").query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"REPORT#{report_id}"}},
    )["Items"]


def test_expired_spam_is_purged_and_active_or_recently_active_reports_stay(aws: Any) -> None:
    # Given: spam closed 31 days ago (retention 30), report, contact and attachment, with an
    # extra version and a delete marker; spam with a reporter follow-up 20 days ago (grace
    # 30); a report still in the queue.
    start, now = FRIDAY_NOON, FRIDAY_NOON + timedelta(days=31)
    expired, _ = spam(start)
    key = parts.report_key(expired)
    boto("s3").put_object(Bucket=BUCKET, Key=key, Body=b"second version")
    boto("s3").delete_object(Bucket=BUCKET, Key=key)
    followed_up, receipt = spam(start)
    add_message(
        followed_up, receipt, {"message": "Any news on this one?"}, at(start + timedelta(days=11))
    )
    active = submit_report(REPORT, at(start), base_url=BASE).report_id
    assert len(s3_versions(expired)) == 5 and len(dynamo_items(expired)) == 2

    # When: a dry run, then the purge
    would = purge(at(now), dry_run=True)
    assert [item.report_id for item in would] == [expired] and s3_versions(expired)
    purged = purge(at(now))

    # Then: the expired spam is gone from S3 (every version) and DynamoDB (META, events)
    assert [item.report_id for item in purged] == [expired]
    assert s3_versions(expired) == [] and dynamo_items(expired) == []
    assert bootstrap.ports().reports.get(expired) is None
    for kept in (followed_up, active):
        assert s3_versions(kept) and bootstrap.ports().reports.get(kept) is not None
    assert len(dynamo_items(followed_up)) == 3  # META, status event, message event


def test_grace_period_after_reporter_activity_ends_and_then_the_report_goes(aws: Any) -> None:
    followed_up, receipt = spam(FRIDAY_NOON)
    wrote = FRIDAY_NOON + timedelta(days=20)
    add_message(followed_up, receipt, {"message": "Any news on this one?"}, at(wrote))

    assert purge(at(FRIDAY_NOON + timedelta(days=31))) == []
    assert purge(at(wrote + timedelta(days=29))) == []
    assert [i.report_id for i in purge(at(wrote + timedelta(days=30)))] == [followed_up]


def test_vdp_purge_dry_run_lists_and_purge_deletes(aws: Any) -> None:
    closed, _ = spam(datetime.now(UTC) - timedelta(days=45))
    runner = CliRunner()

    dry = runner.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would purge {closed}  [spam since" in dry.output and "1 report(s) due" in dry.output
    assert bootstrap.ports().reports.get(closed) is not None

    done = runner.invoke(main, ["purge"])
    assert done.exit_code == 0, done.output
    assert f"purged {closed}" in done.output and bootstrap.ports().reports.get(closed) is None


def test_a_change_between_assessment_and_purge_keeps_the_whole_report(aws: Any) -> None:
    from chalicelib.usecases.retention import expired as find_expired
    from chalicelib.usecases.retention import purge_report

    start, now = FRIDAY_NOON, FRIDAY_NOON + timedelta(days=31)
    reopened, _ = spam(start)
    followed_up, receipt = spam(start)
    [first, second] = sorted(find_expired(at(now)), key=lambda item: item.report_id != reopened)

    # The team reopens one, the reporter writes on the other, after the assessment.
    change_status(at(now), "alice", reopened, "triaged")
    add_message(followed_up, receipt, {"message": "Still there?"}, at(now))
    outcomes = []
    for item in (first, second):
        try:
            purge_report(at(now), item)
            outcomes.append("purged")
        except Exception as exc:  # noqa: BLE001 - the outcome is what is asserted
            outcomes.append(type(exc).__name__)

    assert outcomes == ["Conflict", "Conflict"]
    for report_id in (reopened, followed_up):
        assert s3_versions(report_id) and len(dynamo_items(report_id)) >= 2
        assert bootstrap.ports().reports.get(report_id).purging is False
