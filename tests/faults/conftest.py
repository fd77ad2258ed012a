"""The fault matrix's stack: moto as a real HTTP server on loopback, the app through
chalice's test client, the table's stream handed to the app's publisher on demand
(tests/outbox.py), and the matrix printed at the end of the run.

moto runs as a server (not in-process `mock_aws`) on purpose: an injected answer then
replaces the whole HTTP round trip, as a real fault would. In-process moto serves requests
from a `before-send` hook too, and would still carry out a request whose answer we replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import LOCAL_ENV, PROJECT_DIR
from tests.e2e.httpclient import request
from tests.outbox import TableStream

MATRIX: list[dict[str, Any]] = []
COLUMNS = (
    ("service", 17),
    ("fault", 19),
    ("failed attempts", 22),
    ("answer", 18),
    ("stored under fault", 26),
    ("after heal", 30),
    ("reports", 7),
    ("notices", 7),
    ("lost", 4),
    ("doubled", 7),
)


@dataclass
class Intake:
    api: Any
    endpoint: str
    team_queue_url: str
    stream: TableStream
    notices: list[str] = field(default_factory=list)  # report ids of report.received

    def client(self, service: str) -> Any:
        return aws_client(self.endpoint, service)


def aws_client(endpoint: str, service: str) -> Any:
    """A client of the moto server for the test's own reads (not vdp's session: no faults)."""
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def intake(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Intake]:
    """A fresh local stage on the moto server; vdp's clients are built anew for each cell."""
    import app as functions
    from app import app
    from chalicelib import bootstrap
    from chalicelib.config import local_settings
    from tests.e2e.conftest import relaxed_policy
    from vdp.local.aws.resources import create_resources

    assert request("POST", f"{moto_endpoint}/moto-api/reset").status == 200
    for name, value in {**LOCAL_ENV, "AWS_ENDPOINT_URL": moto_endpoint}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VDP_POLICY_PATH", relaxed_policy())
    # botocore's back-off between attempts is not what is under test: skip the waits,
    # keep the attempts.
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0
    )
    bootstrap.reset()
    settings = local_settings(endpoint_url=moto_endpoint)
    resources = create_resources(settings, lambda service: bootstrap.client(settings, service))
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        stream = TableStream(
            aws_client(moto_endpoint, "dynamodb"),
            aws_client(moto_endpoint, "dynamodbstreams"),
            functions.publish_events,
        )
        yield Intake(client.http, moto_endpoint, resources.team_queue_url, stream)
    bootstrap.reset()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not MATRIX:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fault-injection matrix")
    write(" | ".join(name.ljust(width) for name, width in COLUMNS))
    write("-+-".join("-" * width for _, width in COLUMNS))
    for row in MATRIX:
        write(" | ".join(str(row[name]).ljust(width) for name, width in COLUMNS))
    lost = sum(row["lost"] for row in MATRIX)
    doubled = sum(row["doubled"] for row in MATRIX)
    reports = sum(row["reports"] for row in MATRIX)
    notices = sum(row["notices"] for row in MATRIX)
    write(
        f"{len(MATRIX)} cells: {reports} reports, {notices} notifications, "
        f"{lost} lost, {doubled} doubled"
    )
