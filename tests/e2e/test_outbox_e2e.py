"""`vdp serve` over real HTTP: the table's stream is the outbox. A submission reaches the
team's queue within seconds; the team's CLI only writes (its AWS traffic, seen through a
recording proxy, holds no SNS Publish), and its ack and reply still reach the team."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.builders import CANARY_REPORT, CANARY_TEXTS
from tests.e2e.conftest import VDP, Stack, team_member_queue
from tests.e2e.httpclient import post_json

pytestmark = pytest.mark.e2e

REPLY = "Thanks, we reproduced it; reply canary 0c4e."
SECOND_REPLY = "A fix ships next week; reply canary 77d1."
SECONDS = 5  # "within a few seconds": the local stream is polled every 0.25 s


class RecordingProxy:
    """A plain HTTP proxy in front of moto that notes the AWS operation of each request:
    the target header (JSON protocols), the Action field (query protocols: SNS, STS), or
    the method and path (S3)."""

    def __init__(self, upstream: str) -> None:
        self.operations: list[str] = []
        target = urlsplit(upstream)
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self._body()
                proxy.operations.append(_operation(self.command, self.path, self.headers, body))
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in ("transfer-encoding", "content-length", "connection")
                }
                upstream_call = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                try:
                    upstream_call.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream_call.getresponse()
                    data = answer.read()
                    self.send_response(answer.status)
                    for name, value in answer.getheaders():
                        if name.lower() not in (
                            "transfer-encoding",
                            "content-length",
                            "connection",
                        ):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    upstream_call.close()

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while size := int(self.rfile.readline().split(b";")[0].strip(), 16):
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                    while self.rfile.readline().strip():  # trailers, up to the blank line
                        pass
                    return b"".join(chunks)
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> RecordingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _operation(method: str, path: str, headers: Any, body: bytes) -> str:
    if target := headers.get("X-Amz-Target"):
        return str(target).rsplit(".", 1)[-1]
    if "x-www-form-urlencoded" in headers.get("Content-Type", ""):
        action = parse_qs(body.decode(errors="replace")).get("Action")
        if action:
            return action[0]
    return f"{method} {urlsplit(path).path}"


def cli_through(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`vdp --local ...` as a team member runs it, against the given AWS endpoint."""
    return subprocess.run(  # noqa: S603 - our own console script
        [VDP, "--local", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "AWS_ENDPOINT_URL": endpoint},
        timeout=60,
        check=False,
    )


def notices_until(
    stack: Stack, queue: str, done: Callable[[list[dict[str, Any]]], bool]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The notifications on a subscriber's queue (parsed, and the raw bodies) once `done`
    holds for them; fails after SECONDS more."""
    sqs, found, bodies = stack.client("sqs"), [], []
    deadline = time.monotonic() + SECONDS
    while not done(found):
        assert time.monotonic() < deadline, f"no such notifications within {SECONDS} s: {found}"
        for message in sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", []):
            bodies.append(message["Body"])
            found.append(json.loads(json.loads(message["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return found, bodies


def of(report_id: str, *events: str) -> Callable[[list[dict[str, Any]]], bool]:
    """Done once each of `events` (a name may repeat) arrived for the report."""

    def done(found: list[dict[str, Any]]) -> bool:
        names = [n["event"] for n in found if n["report_id"] == report_id]
        return all(names.count(e) >= events.count(e) for e in events)

    return done


@pytest.fixture
def proxy(stack: Stack) -> Iterator[RecordingProxy]:
    with RecordingProxy(stack.aws) as running:
        yield running


def test_a_submission_reaches_the_team_within_seconds(stack: Stack) -> None:
    queue = team_member_queue(stack)

    accepted = post_json(f"{stack.api}/reports", CANARY_REPORT).json()
    found, bodies = notices_until(stack, queue, of(accepted["report_id"], "report.received"))

    [notice] = [n for n in found if n["report_id"] == accepted["report_id"]]
    assert notice["event_id"] == f"{accepted['report_id']}/received"
    assert notice["severity"] == "critical" and notice["status"] == "received"
    for text in CANARY_TEXTS.values():
        assert not any(text in body for body in bodies)
    stack.wait_for_output(f"report.received {accepted['report_id']}", seconds=SECONDS)


def test_the_teams_ack_and_reply_reach_the_team_without_the_cli_publishing(
    stack: Stack, proxy: RecordingProxy
) -> None:
    queue = team_member_queue(stack)
    report_id = post_json(f"{stack.api}/reports", CANARY_REPORT).json()["report_id"]
    notices_until(stack, queue, of(report_id, "report.received"))

    acked = cli_through(proxy.url, "reports", "ack", report_id, "--message", REPLY)
    replied = cli_through(proxy.url, "reports", "reply", report_id, SECOND_REPLY)
    assert acked.returncode == 0, acked.stderr
    assert replied.returncode == 0, replied.stderr
    expected = ("report.status_changed", "report.replied", "report.replied")
    found, bodies = notices_until(stack, queue, of(report_id, *expected))

    mine = [n for n in found if n["report_id"] == report_id]
    assert sorted(n["event"] for n in mine) == sorted(expected)  # each once
    [status] = [n for n in mine if n["event"] == "report.status_changed"]
    assert (status["status"], status["previous"]) == ("acknowledged", "received")
    assert len({n["event_id"] for n in mine}) == 3
    assert not any(text in body for body in bodies for text in (REPLY, SECOND_REPLY))
    # The CLI wrote (one transaction for the ack, the reply's event) and published nothing
    assert "TransactWriteItems" in proxy.operations and "PutItem" in proxy.operations
    assert "Publish" not in proxy.operations, proxy.operations
    stack.wait_for_output(f"report.replied {report_id}", seconds=SECONDS)
    stack.wait_for_output(f"report.status_changed {report_id}", seconds=SECONDS)
