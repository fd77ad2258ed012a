"""Rate limits by real client address, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import clear_of_the_hour_boundary
from tests.e2e.conftest import Stack, start_stack, stop_stack
from tests.e2e.httpclient import post_json

pytestmark = pytest.mark.e2e

REPORT = {
    "title": "Open redirect on logout",
    "description": "GET /logout?next=https://evil.example redirects anywhere after logout.",
    "product": "example-app",
    "policy_accepted": True,
}


@pytest.fixture(scope="module")
def strict_stack() -> Iterator[Stack]:
    running = start_stack(strict_limits=True)
    yield running
    stop_stack(running)


def test_each_client_address_has_its_own_hourly_limit(strict_stack: Stack) -> None:
    clear_of_the_hour_boundary()
    url = f"{strict_stack.api}/reports"
    answers = [post_json(url, REPORT, source="127.0.0.2").status for _ in range(6)]
    other = post_json(url, REPORT, source="127.0.0.3")
    refused = post_json(url, REPORT, source="127.0.0.2")

    assert answers == [201] * 5 + [429]
    assert other.status == 201
    assert refused.status == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"]["code"] == "rate_limited"


def test_forwarded_for_headers_do_not_change_the_source(strict_stack: Stack) -> None:
    clear_of_the_hour_boundary()
    url = f"{strict_stack.api}/reports"
    spoofed = [
        post_json(url, REPORT, {"X-Forwarded-For": f"198.51.100.{n}"}, source="127.0.0.4").status
        for n in range(6)
    ]

    assert spoofed == [201] * 5 + [429]


def test_no_client_address_is_stored(strict_stack: Stack) -> None:
    items = json.dumps(strict_stack.client("dynamodb").scan(TableName="vdp-local")["Items"])

    assert "127.0.0" not in items and "198.51.100" not in items
