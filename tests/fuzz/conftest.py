"""Fuzzing fixtures and figures: the app on in-process moto, the number of requests tried."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, settings

from tests.conftest import PROJECT_DIR

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


@dataclass
class FuzzApi:
    """The app, and what storage held after the previous request (the only writer)."""

    http: Any
    stored: tuple[int, int]

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[Any, bool]:
        """The answer, and whether anything was stored while serving it."""
        answer = self.http.post(path, headers=headers, body=body)
        after = stored_counts()
        changed, self.stored = after != self.stored, after
        return answer, changed


@pytest.fixture
def fuzz_api(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FuzzApi]:
    """chalice's test client on in-process moto, rate limits and proof-of-work off."""
    from app import app
    from tests.e2e.conftest import relaxed_policy

    monkeypatch.setenv("VDP_POLICY_PATH", relaxed_policy())
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        yield FuzzApi(client.http, stored_counts())


def stored_counts() -> tuple[int, int]:
    """S3 object versions (delete markers included) and DynamoDB items, counted.

    Read from moto's memory: listing every version and scanning the table through the
    API after each request made a long `make fuzz` run quadratic in its examples.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    bucket = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets["vdp-local-reports"]
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables["vdp-local"]
    return sum(len(kept) for _, kept in bucket.keys.iterlists()), len(table)


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
