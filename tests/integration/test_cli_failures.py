"""What `vdp` says when something outside it fails: one line naming the cause, exit 1."""

import json
import socket
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import REPORT
from tests.conftest import LOCAL_ENV, boto
from vdp.cli.main import main


@pytest.fixture
def own_session(monkeypatch) -> None:
    """A boto3 session for this test alone: one made before moto starts would skip moto."""
    monkeypatch.setattr(bootstrap, "_sessions", {})


def vdp(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_one_line_failure(result: Any, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_local_commands_without_vdp_serve_name_the_endpoint(monkeypatch, own_session) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)

    result = vdp("--local", "reports", "list")

    assert_one_line_failure(result, f"cannot reach {endpoint}")
    assert "nothing was saved" not in result.output


def test_missing_credentials_are_named(monkeypatch, own_session) -> None:
    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance to ask here

    assert_one_line_failure(vdp("reports", "list"), "no AWS credentials")


def test_the_region_comes_from_the_aws_profile_when_the_environment_has_none(
    monkeypatch, own_session, tmp_path: Path
) -> None:
    profile = tmp_path / "config"
    profile.write_text("[default]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profile))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    settings = Settings.from_env(LOCAL_ENV)

    assert settings.region is None
    assert bootstrap.client(settings, "dynamodb").meta.region_name == "eu-central-1"


def test_a_folder_that_cannot_be_written_is_named(aws: Any, tmp_path: Path) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id
    missing = tmp_path / "no-such-folder" / "advisory.json"

    result = vdp("reports", "export", report_id, "--format", "osv", "--output", str(missing))

    assert_one_line_failure(result, f"No such file or directory: {missing}")


@pytest.mark.parametrize("command", [("note",), ("status", "--note")])
def test_text_that_is_not_utf8_is_refused_and_nothing_is_saved(aws: Any, command) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id
    bad = b"bad \xff".decode(errors="surrogateescape")  # what the shell hands click
    args = (
        ["reports", command[0], report_id, bad]
        if len(command) == 1
        else ["reports", "status", report_id, "acknowledged", "--note", bad]
    )

    assert_one_line_failure(vdp(*args), "must be valid UTF-8")
    timeline = json.loads(vdp("reports", "show", report_id, "--json").output)
    assert timeline["record"]["status"] == "received"
    assert [m["kind"] for m in timeline["messages"]] == []


def test_attachment_names_that_no_file_system_takes_are_written_safely(
    aws: Any, tmp_path: Path
) -> None:
    names = ["x\x00y.txt", "é" * 255, "poc\nwritten: /etc/passwd", "..\\..\\win.ini"]
    fields = {
        **REPORT,
        "attachments": [
            {"filename": name, "content_type": "text/plain", "data": "cG9j"} for name in names
        ],
    }
    report_id = submit_report(fields, bootstrap.ports(), base_url="https://x").report_id
    folder = tmp_path / "files"

    result = vdp("reports", "show", report_id, "--attachments-dir", str(folder))

    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in folder.iterdir())
    assert written[0] == "0-xy.txt" and written[3] == "3-win.ini"
    assert all(
        len(name.encode()) <= 255 and (folder / name).read_bytes() == b"poc" for name in written
    )
    assert not any(line.startswith("written: /etc") for line in result.output.splitlines())


def test_list_refuses_an_unknown_status_and_takes_a_comma_list(aws: Any) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id

    refused = vdp("reports", "list", "--status", "bogus")
    listed = vdp("reports", "list", "--status", "triaged,received", "--json")

    assert_one_line_failure(refused, "unknown status bogus")
    assert [row["report_id"] for row in json.loads(listed.output)] == [report_id]


def test_missing_configuration_names_the_environment_variables(monkeypatch) -> None:
    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VDP_BUCKET")
    monkeypatch.setenv("VDP_TOPIC_ARN", "not-an-arn")

    result = vdp("reports", "list")

    assert_one_line_failure(
        result,
        "configuration incomplete or invalid: VDP_BUCKET, VDP_TOPIC_ARN "
        "(or pass --local for `vdp serve`)",
    )


@pytest.mark.parametrize(
    "command", [("reports", "list"), ("subscriptions",), ("sla",), ("purge", "--dry-run")]
)
def test_no_region_anywhere_is_named_not_a_traceback(
    monkeypatch, own_session, tmp_path: Path, command: tuple[str, ...]
) -> None:
    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))

    assert_one_line_failure(vdp(*command), "no AWS region: set AWS_REGION")


@pytest.mark.parametrize(
    "endpoint", ["127.0.0.1:4566", "http://a b", "http://[::1", "http://x:99999", "http://x:0"]
)
def test_an_endpoint_that_is_not_a_url_is_refused_before_any_call(monkeypatch, endpoint) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)

    result = vdp("--local", "reports", "list")

    assert_one_line_failure(result, "AWS_ENDPOINT_URL")


def test_sla_records_breaches_while_sns_is_down_and_says_so_once(aws: Any) -> None:
    long_ago = bootstrap.clock() - timedelta(days=30)
    past = replace(bootstrap.ports(), clock=lambda: long_ago)
    report_id = submit_report(REPORT, past, base_url="https://x").report_id
    boto("sns").delete_topic(TopicArn=LOCAL_ENV["VDP_TOPIC_ARN"])  # SNS refuses every publish

    swept, again = vdp("sla", "--json"), vdp("sla")

    assert swept.exit_code == 0, swept.output
    rows = json.loads(swept.output)
    assert {(r["report_id"], r["deadline"]) for r in rows} == {
        (report_id, "acknowledge"),
        (report_id, "triage"),
    }
    assert all(set(r) == {"report_id", "deadline", "due"} for r in rows)
    assert again.exit_code == 0 and again.output.strip() == "no new SLA breaches"


def test_a_part_copied_from_another_report_is_one_line_not_a_traceback(aws: Any) -> None:
    ports = bootstrap.ports()
    first = submit_report(REPORT, ports, base_url="https://x").report_id
    second = submit_report(REPORT, ports, base_url="https://x").report_id
    s3 = boto("s3")
    bucket = LOCAL_ENV["VDP_BUCKET"]
    copied = s3.get_object(Bucket=bucket, Key=f"reports/{first}/report.enc")["Body"].read()
    s3.put_object(Bucket=bucket, Key=f"reports/{second}/report.enc", Body=copied)

    result = vdp("reports", "show", second)

    assert_one_line_failure(result, f"{second}: a stored part failed its integrity check")
    assert len(result.output.strip().splitlines()) == 1
