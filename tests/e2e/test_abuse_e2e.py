"""Rate limits by real client address and idempotent retries, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

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


def meta_items(stack: Stack) -> list[dict]:
    items = stack.client("dynamodb").scan(TableName="vdp-local")["Items"]
    return [i for i in items if i["SK"]["S"] == "META"]


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


def test_concurrent_retries_with_one_key_create_one_report(strict_stack: Stack) -> None:
    url = f"{strict_stack.api}/reports"
    before = len(meta_items(strict_stack))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: post_json(
                    url, REPORT, {"Idempotency-Key": "tab-7d1e"}, source="127.0.0.9"
                ),
                range(4),
            )
        )

    assert [a.status for a in answers] == [201] * 4
    assert len({a.json()["report_id"] for a in answers}) == 1
    assert len({a.json()["receipt"] for a in answers}) == 1
    assert len(meta_items(strict_stack)) == before + 1
