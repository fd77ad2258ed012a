"""Fuzzing fixtures and figures: the app on in-process moto, the number of requests tried."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, settings

from tests.conftest import PROJECT_DIR, boto
from tests.fuzz.strategies import CANARY

# `make fuzz` raises this (e.g. 5000); the normal run stays short.
EXAMPLES = int(os.environ.get("VDP_FUZZ_EXAMPLES", "50"))  # per test
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the shared checkout
    # One moto and one app for all examples, on purpose: state accumulates between them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)  # fmt: skip
TRIED: dict[str, Counter[int]] = {}


# AWS operations that store, change or send something (the app's only ways to).
WRITES = frozenset({
    "PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload",
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "Publish",
})  # fmt: skip


@dataclass
class FuzzApi:
    """The app, the AWS writes it made (each successful one is recorded), and what the
    team's queue received (the table's stream pumped and the queue drained after every
    request, each notification checked for report content)."""

    http: Any
    sqs: Any
    team_queue_url: str
    outbox: Any
    writes: list[str] = field(default_factory=list)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[Any, bool]:
        """The answer, and whether anything was stored or sent while serving it."""
        return self._served(lambda: self.http.post(path, headers=headers, body=body))

    def get(self, path: str, headers: dict[str, str]) -> tuple[Any, bool]:
        return self._served(lambda: self.http.get(path, headers=headers))

    def _served(self, request: Callable[[], Any]) -> tuple[Any, bool]:
        self.writes.clear()
        answer = request()
        wrote = bool(self.writes)  # the request's own writes, before the stream publishes
        assert self.outbox.pump() == []
        for notice in self._drained():
            assert CANARY not in notice, "a notification carried submitted content"
        return answer, wrote

    def _drained(self) -> Iterator[str]:
        """Every message in the team's queue, removed (a long run keeps the queue empty)."""
        while batch := self.sqs.receive_message(
            QueueUrl=self.team_queue_url, MaxNumberOfMessages=10
        ).get("Messages"):
            for message in batch:
                yield message["Body"]
                self.sqs.delete_message(
                    QueueUrl=self.team_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


@pytest.fixture
def fuzz_api(aws: Any, outbox: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FuzzApi]:
    """chalice's test client on in-process moto, rate limits and proof-of-work off."""
    from botocore.client import BaseClient

    from app import app
    from tests.e2e.conftest import relaxed_policy

    monkeypatch.setenv("VDP_POLICY_PATH", relaxed_policy())
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        api = FuzzApi(client.http, boto("sqs"), aws.team_queue_url, outbox)
        call = BaseClient._make_api_call

        def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            answer = call(self, operation, params)
            if operation in WRITES:
                api.writes.append(operation)
            return answer

        monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
        yield api


def tried(name: str, status: int) -> None:
    TRIED.setdefault(name, Counter())[status] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzzing: requests tried")
    for name, statuses in TRIED.items():
        spread = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        terminalreporter.write_line(f"{name}: {sum(statuses.values())} requests ({spread})")
    total = sum(sum(statuses.values()) for statuses in TRIED.values())
    terminalreporter.write_line(f"total: {total} fuzzed requests")
