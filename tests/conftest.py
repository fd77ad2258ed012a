"""Shared fixtures: fake AWS credentials always, moto before any client, clean caches."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# `make test` explores the same examples on every run, so a run that lands and one that does
# not differ by their code, not by luck; `make fuzz` (VDP_FUZZ_EXAMPLES set) explores anew.
settings.register_profile("repeatable", derandomize=True)
if "VDP_FUZZ_EXAMPLES" not in os.environ:
    settings.load_profile("repeatable")

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOCAL_ENV = {
    "VDP_STAGE": "local",
    "VDP_KMS_KEY_ID": "alias/vdp-local",
    "VDP_BUCKET": "vdp-local-reports",
    "VDP_TABLE": "vdp-local",
    "VDP_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:vdp-local-events",
    "VDP_SECRET_ID": "vdp-local-secret",
}


@pytest.fixture(scope="session", autouse=True)
def gnupg_agents_stopped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """GnuPG starts an agent for each home a test gives it; none outlives the run."""
    yield
    base = tmp_path_factory.getbasetemp()
    for home in {keyring.parent for keyring in base.rglob("pubring.kbx")}:
        subprocess.run(
            ["gpgconf", "--homedir", str(home), "--kill", "all"], check=False, capture_output=True
        )


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach real AWS: fake credentials, no profile, no inherited endpoint."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "VDP_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    # botocore's account-id endpoints would send DynamoDB Streams calls past in-process moto
    # (it answers them 404 "Not yet implemented"); the plain regional endpoint reaches it.
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """In-process moto with the local stage's resources; yields the LocalResources."""
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.config import local_settings
    from vdp.local.aws.resources import create_resources

    for name, value in LOCAL_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        bootstrap.reset()
        settings = local_settings(endpoint_url=None)
        yield create_resources(settings, lambda service: bootstrap.client(settings, service))
        bootstrap.reset()


@pytest.fixture
def outbox(aws: Any) -> Any:
    """The table's stream, handed to the app's publisher function as Lambda would hand it:
    `outbox.pump()` delivers what was written since the last pump (tests/outbox.py)."""
    import app
    from tests.outbox import TableStream

    return TableStream(boto("dynamodb"), boto("dynamodbstreams"), app.publish_events)


def boto(service: str) -> Any:
    """A client for inspecting moto's state from a test."""
    import boto3

    return boto3.client(service, region_name="us-east-1")


def clear_of_the_hour_boundary(margin_seconds: float = 30) -> None:
    """Rate limits count per clock hour: a test that fills one window must not straddle
    two, so a test starting in the hour's last seconds waits for the next hour first."""
    now = datetime.now(UTC)
    left = 3600 - (now.minute * 60 + now.second + now.microsecond / 1e6)
    if left < margin_seconds:
        time.sleep(left + 0.5)
