"""`vdp reports timeline --cloudtrail`: vdp's events and CloudTrail's Decrypt records of the
report in one list; a line where CloudTrail cannot be read, and vdp's timeline regardless."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.stub import ANY, Stubber
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.triage import get_report
from tests.builders import BASE, REPORT
from tests.cloudtrail_samples import (
    ALICE,
    MALLORY,
    OTHER_REPORT_ID,
    decrypt_event,
    s3_bucket_decrypt,
    stubbed_cloudtrail,
)
from tests.conftest import LOCAL_ENV
from vdp.cli.main import main
from vdp.cli.reports.cloudtrail import DECRYPT, LOCAL_NOTE, OLDER_NOTE

DENIED = (
    "CloudTrail records not shown: AWS denied cloudtrail LookupEvents "
    "(AccessDeniedException): your role lacks this permission"
)


def event_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def submitted(aws: Any) -> tuple[str, datetime]:
    """A report in moto's stack with a note after its receipt: its id and its receipt time."""
    report_id = submit_report(REPORT, bootstrap.ports(), base_url=BASE).report_id
    noted = CliRunner().invoke(main, ["reports", "note", report_id, "checked the invoice"])
    assert noted.exit_code == 0, noted.output
    return report_id, get_report(bootstrap.ports(), report_id).created_at


def two_pages(stubber: Stubber, report_id: str, created: datetime) -> None:
    """Page one: the report opened by alice an hour after its receipt, a Decrypt of another
    report and one of S3's for a bucket object; page two: mallory refused an hour later."""
    first = [
        decrypt_event(
            event_time(created + timedelta(hours=1)), {"report_id": report_id, "part": "report"}
        ),
        decrypt_event(event_time(created), {"report_id": OTHER_REPORT_ID, "part": "report"}),
        s3_bucket_decrypt(event_time(created + timedelta(minutes=30))),
    ]
    second = [
        decrypt_event(
            event_time(created + timedelta(hours=2)),
            {"report_id": report_id, "part": "attachment-0"},
            arn=MALLORY,
            source_ip="198.51.100.23",
            error="AccessDenied",
        )
    ]
    asked = {"LookupAttributes": DECRYPT, "StartTime": created}
    stubber.add_response("lookup_events", {"Events": first, "NextToken": "page-2"}, asked)
    stubber.add_response("lookup_events", {"Events": second}, {**asked, "NextToken": "page-2"})


def test_the_timeline_merges_the_reports_decrypts_from_every_page(
    submitted: tuple[str, datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, created = submitted
    stubber = stubbed_cloudtrail(monkeypatch)
    two_pages(stubber, report_id, created)

    result = CliRunner().invoke(main, ["reports", "timeline", report_id, "--cloudtrail"])

    assert result.exit_code == 0, result.output
    stubber.assert_no_pending_responses()
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["AT", "RECORD", "KIND", "STATUS", "ACTOR", "DETAIL"]
    assert [line.split()[1:3] for line in lines] == [
        ["vdp", "status"],
        ["vdp", "note"],
        ["cloudtrail", "kms_decrypt"],
        ["cloudtrail", "kms_decrypt"],
    ]
    opened, refused = (" ".join(line.split()) for line in lines[2:])
    assert opened.endswith(f"- {ALICE} part report from 203.0.113.7")
    assert refused.endswith(
        f"- {MALLORY} part attachment-0 from 198.51.100.23, refused: AccessDenied"
    )
    assert result.stderr == ""


def test_the_json_timeline_carries_each_records_fields(
    submitted: tuple[str, datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, created = submitted
    two_pages(stubbed_cloudtrail(monkeypatch), report_id, created)

    result = CliRunner().invoke(main, ["reports", "timeline", report_id, "--cloudtrail", "--json"])

    rows = json.loads(result.stdout)
    assert [row["record"] for row in rows] == ["vdp", "vdp", "cloudtrail", "cloudtrail"]
    opened = rows[2]
    assert opened["at"] == event_time(created + timedelta(hours=1))
    assert (opened["actor"], opened["part"], opened["source"]) == (ALICE, "report", "203.0.113.7")
    assert opened["error"] is None and rows[3]["error"] == "AccessDenied"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_caller_who_cannot_read_cloudtrail_is_told_in_one_line_and_sees_vdps_timeline(
    submitted: tuple[str, datetime], monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    report_id, _ = submitted
    stubber = stubbed_cloudtrail(monkeypatch)
    stubber.add_client_error(
        "lookup_events",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: cloudtrail:LookupEvents",
        http_status_code=400,
    )
    command = ["reports", "timeline", report_id, "--cloudtrail", *(["--json"] * as_json)]

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [DENIED]
    if as_json:
        rows = json.loads(result.stdout)
        assert [(row["record"], row["kind"]) for row in rows] == [
            ("vdp", "status"),
            ("vdp", "note"),
        ]
    else:
        assert "received" in result.stdout and "cloudtrail" not in result.stdout


def test_a_report_older_than_the_event_history_is_looked_up_from_where_the_history_starts(
    submitted: tuple[str, datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, created = submitted
    monkeypatch.setattr(
        "vdp.cli.reports.cloudtrail.HISTORY", timedelta(0)
    )  # received "too long ago"
    stubber = stubbed_cloudtrail(monkeypatch)
    stubber.add_response(
        "lookup_events", {"Events": []}, {"LookupAttributes": DECRYPT, "StartTime": ANY}
    )
    asked: list[datetime] = []
    stubber.client.meta.events.register(
        "provide-client-params.cloudtrail.LookupEvents",
        lambda params, **_: asked.append(params["StartTime"]),
    )

    result = CliRunner().invoke(main, ["reports", "timeline", report_id, "--cloudtrail"])

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [OLDER_NOTE]
    assert len(asked) == 1 and asked[0] > created


def test_without_the_flag_cloudtrail_is_not_asked(
    submitted: tuple[str, datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id, _ = submitted
    stubbed_cloudtrail(monkeypatch)  # no answer queued: a LookupEvents call would fail

    result = CliRunner().invoke(main, ["reports", "timeline", report_id])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split() == ["AT", "KIND", "STATUS", "ACTOR", "DETAIL"]


@pytest.fixture
def local_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`vdp serve`'s AWS side: a moto server with the local stage's resources."""
    from moto.server import ThreadedMotoServer

    from chalicelib.config import local_settings
    from vdp.local.aws.resources import create_resources

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    for name, value in {**LOCAL_ENV, "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    settings = local_settings(endpoint)
    create_resources(settings, lambda service: bootstrap.client(settings, service))
    yield endpoint
    bootstrap.reset()
    server.stop()


def test_the_local_stack_says_it_has_no_cloudtrail_and_asks_none(
    local_stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url=BASE).report_id
    services: list[str] = []
    call = BaseClient._make_api_call

    def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        services.append(self.meta.service_model.service_name)
        return call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)

    result = CliRunner().invoke(
        main, ["--local", "reports", "timeline", report_id, "--cloudtrail", "--json"]
    )

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [LOCAL_NOTE]
    assert [(row["record"], row["status"]) for row in json.loads(result.stdout)] == [
        ("vdp", "received")
    ]
    assert "dynamodb" in services and "cloudtrail" not in services
