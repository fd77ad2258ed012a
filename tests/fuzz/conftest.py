"""Fuzzing fixtures and the run's figures: the app on in-process moto, every request
counted per operation, and a run that fails on any 5xx or schema violation, and at
`make fuzz`'s depth on fewer than 10,000 requests (tally.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, settings

from tests.conftest import PROJECT_DIR, boto
from tests.fuzz.api import FuzzApi, fuzz_policy
from tests.fuzz.stored import StoredReports
from tests.fuzz.tally import TALLY, full_depth

# `make fuzz` raises this (the Makefile's default); the normal run stays short.
EXAMPLES = int(os.environ.get("VDP_FUZZ_EXAMPLES", "50"))  # per test
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the shared checkout
    # One moto and one app for all examples, on purpose: state accumulates between them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)  # fmt: skip
FUZZ_DIR = Path(__file__).resolve().parent

# AWS operations that store, change or send something (the app's only ways to).
WRITES = frozenset({
    "PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload",
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "Publish",
})  # fmt: skip
# The hourly rate counters: a failed receipt check counts too, and they hold no content.
RATE_COUNTER = {"S": "RATE"}


def _stores(operation: str, params: dict[str, Any]) -> bool:
    key = params.get("Key")  # an item's (a dict), or an object's (a string)
    return operation in WRITES and not (isinstance(key, dict) and key.get("SK") == RATE_COUNTER)


@pytest.fixture
def fuzz_api(
    aws: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[FuzzApi]:
    """chalice's test client on in-process moto, rate limits and proof-of-work off."""
    from botocore.client import BaseClient

    from app import app

    monkeypatch.setenv("VDP_POLICY_PATH", fuzz_policy())
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        suite = request.node.name.removeprefix("test_")
        api = FuzzApi(client.http, boto("sqs"), aws.team_queue_url, outbox, suite)
        call = BaseClient._make_api_call

        def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            answer = call(self, operation, params)
            if _stores(operation, params):
                api.writes.append(operation)
            return answer

        monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
        yield api


@pytest.fixture
def stored_reports(fuzz_api: FuzzApi) -> StoredReports:
    return StoredReports(fuzz_api)


_DESELECTED: list[Path] = []
_SHORTFALLS: list[str] = []


def pytest_deselected(items: list[pytest.Item]) -> None:
    _DESELECTED.extend(Path(str(item.path)) for item in items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A run with a 5xx or a violation fails, and so does a short full-depth run."""
    ran = {Path(str(item.path)) for item in getattr(session, "items", [])}
    whole = set(FUZZ_DIR.glob("test_*.py")) <= ran and not any(
        path.parent == FUZZ_DIR for path in _DESELECTED
    )
    _SHORTFALLS[:] = TALLY.shortfalls(whole, EXAMPLES >= full_depth())
    if _SHORTFALLS and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY.statuses:
        return
    terminalreporter.section("fuzzing: requests per operation")
    for line in TALLY.lines():
        terminalreporter.write_line(line)
    for problem in _SHORTFALLS:
        terminalreporter.write_line(f"FUZZING FAILED: {problem}", red=True)
