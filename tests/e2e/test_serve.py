"""`vdp serve` over real HTTP: the intake promises as a new user would check them."""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import CANARY_REPORT, CANARY_TEXTS
from tests.e2e.conftest import VDP, Stack, free_port, start_stack, stop_stack, team_member_queue
from tests.e2e.httpclient import declared_only, post_json, request

pytestmark = pytest.mark.e2e
TOPIC = "arn:aws:sns:us-east-1:123456789012:vdp-local-events"


def kept_in(folder: Path) -> dict[str, str]:
    """`vdp serve`'s data in a folder of the test's own, never in the checkout."""
    return {"VDP_LOCAL_DATA_DIR": str(folder)}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(kept_in(tmp_path_factory.mktemp("data")))
    yield running
    if running.process.poll() is None:
        stop_stack(running)


def test_submit_then_follow_with_the_receipt(stack: Stack) -> None:
    created = post_json(f"{stack.api}/reports", CANARY_REPORT)
    assert created.status == 201
    accepted = created.json()

    own = request("GET", f"{stack.api}/reports/{accepted['report_id']}",
                  headers={"Authorization": f"Bearer {accepted['receipt']}"})  # fmt: skip
    wrong = request("GET", f"{stack.api}/reports/{accepted['report_id']}",
                    headers={"Authorization": "Bearer wrong"})  # fmt: skip

    assert own.status == 200 and own.json()["status"] == "received"
    assert wrong.status == 404 and wrong.json()["error"]["code"] == "not_found"


def test_nothing_readable_at_rest_or_in_notifications(stack: Stack) -> None:
    queue = team_member_queue(stack)
    accepted = post_json(f"{stack.api}/reports", CANARY_REPORT).json()

    s3, dynamodb, sqs = stack.client("s3"), stack.client("dynamodb"), stack.client("sqs")
    versions = s3.list_object_versions(Bucket="vdp-local-reports").get("Versions", [])
    blobs = [
        s3.get_object(Bucket="vdp-local-reports", Key=v["Key"], VersionId=v["VersionId"])[
            "Body"
        ].read()
        for v in versions
    ]
    items = json.dumps(dynamodb.scan(TableName="vdp-local")["Items"])
    messages = []  # the table's stream notifies the team a moment after the answer
    deadline = time.monotonic() + 10
    while not any(accepted["report_id"] in m["Body"] for m in messages):
        assert time.monotonic() < deadline, "no report.received on the team member's queue"
        messages += sqs.receive_message(
            QueueUrl=queue, WaitTimeSeconds=1, MaxNumberOfMessages=10
        ).get("Messages", [])

    assert any(accepted["report_id"] in v["Key"] for v in versions)
    assert accepted["report_id"] in items
    for secret in CANARY_TEXTS.values():
        assert not any(secret.encode() in blob for blob in blobs)
        assert secret not in items
        assert not any(secret in m["Body"] for m in messages)
    notice = next(json.loads(json.loads(m["Body"])["Message"]) for m in messages
                  if accepted["report_id"] in m["Body"])  # fmt: skip
    assert notice["event"] == "report.received" and notice["severity"] == "critical"
    stack.wait_for_output(f"report.received {accepted['report_id']}")


def written_by_requests(stack: Stack) -> list[str]:
    """Every item's key but the mail claims, which the stream's publisher writes in the
    background for an earlier test's report."""
    items = stack.client("dynamodb").scan(TableName="vdp-local")["Items"]
    keys = [f"{i['PK']['S']}|{i['SK']['S']}" for i in items]
    return sorted(key for key in keys if not key.startswith("MAIL#"))


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"title": ', "application/json", 400, "bad_json"),
        (
            json.dumps({k: v for k, v in CANARY_REPORT.items() if k != "title"}),
            "application/json",
            422,
            "validation_failed",
        ),
        (
            json.dumps({**CANARY_REPORT, "policy_accepted": False}),
            "application/json",
            422,
            "validation_failed",
        ),
        ("a report as plain text", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_bad_input_over_http_stores_nothing(stack: Stack, body, content_type, status, code) -> None:
    before = written_by_requests(stack)

    answer = request("POST", f"{stack.api}/reports", body, {"Content-Type": content_type})

    assert answer.status == status and answer.json()["error"]["code"] == code
    assert written_by_requests(stack) == before
    if code == "validation_failed" and "title" not in body:
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["title"]


def test_seven_megabytes_are_refused_before_they_are_read(stack: Stack) -> None:
    answer = declared_only(f"{stack.api}/reports", 7 * 1024 * 1024)

    assert answer.status == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_unknown_route_is_our_404_and_never_echoes_authorization(stack: Stack) -> None:
    answer = request("GET", f"{stack.api}/admin", headers={"Authorization": "Bearer s3cr3t-token"})

    assert answer.status == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert b"s3cr3t-token" not in answer.body
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_team_lists_and_decrypts_with_the_cli(stack: Stack) -> None:
    accepted = post_json(f"{stack.api}/reports", CANARY_REPORT).json()

    listed = stack.cli("reports", "list", "--json")
    shown = stack.cli("reports", "show", accepted["report_id"], "--json")
    table = stack.cli("reports", "list")
    missing = stack.cli("reports", "show", "VDP-0000-0000")

    assert listed.returncode == 0, listed.stderr
    assert accepted["report_id"] in [row["report_id"] for row in json.loads(listed.stdout)]
    assert json.loads(shown.stdout)["report"]["title"] == CANARY_TEXTS["title"]
    assert "REPORT_ID" in table.stdout and accepted["report_id"] in table.stdout
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().count("\n") == 0


def test_the_policy_site_is_served_on_its_own_origin(stack: Stack) -> None:
    answer = request("GET", f"{stack.site}/")

    assert answer.status == 200 and b"<html" in answer.body.lower()


def test_busy_port_is_a_clear_error_not_a_hang(stack: Stack) -> None:
    busy = stack.aws.rsplit(":", 1)[1]

    ports = ["--port", str(free_port()), "--site-port", str(free_port()), "--aws-port", busy]

    result = subprocess.run(  # noqa: S603
        [VDP, "serve", *ports], capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode != 0
    assert f"port {busy}" in result.stderr and "already in use" in result.stderr


def test_ctrl_c_stops_everything_cleanly(tmp_path: Path) -> None:
    running = start_stack(kept_in(tmp_path))

    code = stop_stack(running)

    assert code == 0
    assert any("vdp stopped" in line for line in running.output)
    with pytest.raises(OSError):
        request("GET", f"{running.api}/health")


def test_security_txt_served_by_the_stack_validates(tmp_path: Path) -> None:
    import sectxt

    # As deployed behind https: RFC 9116 requires https URIs in the file.
    public = "https://intake.example.test"
    running = start_stack({"VDP_PUBLIC_URL": public, **kept_in(tmp_path)})
    try:
        answer = request("GET", f"{running.api}/.well-known/security.txt")
    finally:
        stop_stack(running)

    parsed = sectxt.Parser(answer.body, urls=f"{public}/.well-known/security.txt")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert parsed.errors == []


def test_the_example_site_origin_is_allowed_whatever_its_port(stack: Stack) -> None:
    preflight = {
        "Origin": stack.site,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }

    allowed = request("OPTIONS", f"{stack.api}/reports", headers=preflight)
    other = request(
        "OPTIONS", f"{stack.api}/reports", headers={**preflight, "Origin": "http://evil.test"}
    )

    assert allowed.headers.get("access-control-allow-origin") == stack.site
    assert "access-control-allow-origin" not in other.headers


def test_the_banner_names_the_team_queue_and_a_first_report_that_works(stack: Stack) -> None:
    queue_arn = stack.wait_for_output("team queue").split()[2]
    command = stack.wait_for_output("try: curl ").split("try: ", 1)[1]

    ran = subprocess.run(  # noqa: S603 - the banner's own command, run as a user would
        shlex.split(command), capture_output=True, text=True, timeout=30, check=False
    )
    accepted = json.loads(ran.stdout)
    followed = request("GET", f"{stack.api}/reports/{accepted['report_id']}",
                       headers={"Authorization": f"Bearer {accepted['receipt']}"})  # fmt: skip
    subscribed = stack.client("sns").list_subscriptions_by_topic(TopicArn=TOPIC)

    assert queue_arn.startswith("arn:aws:sqs:") and queue_arn.endswith(":vdp-local-team")
    assert queue_arn in [s["Endpoint"] for s in subscribed["Subscriptions"]]
    assert accepted["status"] == "received" and followed.status == 200
    stack.wait_for_output(f"report.received {accepted['report_id']}")
