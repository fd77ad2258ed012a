"""200 submissions from 16 parallel clients against `vdp serve` over real HTTP:
200 distinct reports, each stored once (one report.enc version, one META item) and
announced once (report.received on a subscriber's queue)."""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from typing import Any

import pytest

from tests.builders import CANARY_REPORT
from tests.concurrency.conftest import SUMMARY
from tests.e2e.conftest import Stack, start_stack, stop_stack, team_member_queue

pytestmark = pytest.mark.e2e

SUBMISSIONS, CLIENTS = 200, 16
BUDGET_SECONDS = 60


def submit_all(stack: Stack, client: int, count: int) -> list[tuple[int, str]]:
    """One client: its own loopback address (another source) and keep-alive connection."""
    host, port = stack.api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=30, source_address=(f"127.0.0.{client + 2}", 0)
    )
    answers = []
    try:
        for n in range(count):
            body = {**CANARY_REPORT, "title": f"Concurrent report {client}-{n}"}
            connection.request(
                "POST", "/reports", json.dumps(body), {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            payload = response.read()
            report_id = json.loads(payload).get("report_id", "") if response.status == 201 else ""
            answers.append((response.status, report_id))
    finally:
        connection.close()
    return answers


def test_parallel_submissions_are_stored_and_announced_exactly_once() -> None:
    stack = start_stack()  # rate limits and proof-of-work out of the way
    try:
        queue = team_member_queue(stack)
        shares = [SUBMISSIONS // CLIENTS + (i < SUBMISSIONS % CLIENTS) for i in range(CLIENTS)]
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            batches = pool.map(submit_all, [stack] * CLIENTS, range(CLIENTS), shares)
            results = list(chain.from_iterable(batches))
        elapsed = time.monotonic() - started
        statuses = Counter(status for status, _ in results)
        accepted = [report_id for status, report_id in results if status == 201]

        blobs = Counter(_report_blob_versions(stack))
        metas = Counter(_meta_items(stack))
        notices = Counter(_drain_received(stack, queue, expected=len(accepted)))
    finally:
        stop_stack(stack)

    SUMMARY.append(
        f"{SUBMISSIONS} submissions from {CLIENTS} clients in {elapsed:.1f} s: "
        f"answers {dict(statuses)}; {len(set(accepted))} distinct reports, "
        f"lost {_lost(accepted, blobs, metas, notices)}, "
        f"doubled {_doubled(accepted, blobs, metas, notices)}"
    )
    assert statuses == {201: SUBMISSIONS}, [line for line in stack.output if "warn" in line]
    assert len(set(accepted)) == SUBMISSIONS
    assert blobs == dict.fromkeys(accepted, 1)
    assert metas == dict.fromkeys(accepted, 1)
    assert notices == dict.fromkeys(accepted, 1)
    assert elapsed < BUDGET_SECONDS


def _lost(accepted: list[str], *seen: Counter[str]) -> int:
    return sum(1 for report_id in set(accepted) if any(not c[report_id] for c in seen))


def _doubled(accepted: list[str], *seen: Counter[str]) -> int:
    extra = sum(max(0, c[r] - 1) for c in seen for r in set(accepted))
    return extra + sum(n for c in seen for r, n in c.items() if r not in accepted)


def _report_blob_versions(stack: Stack) -> list[str]:
    """One entry per stored version of reports/<id>/report.enc."""
    pages = stack.client("s3").get_paginator("list_object_versions")
    return [
        version["Key"].split("/")[1]
        for page in pages.paginate(Bucket="vdp-local-reports", Prefix="reports/")
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        if version["Key"].endswith("/report.enc")
    ]


def _meta_items(stack: Stack) -> list[str]:
    pages = stack.client("dynamodb").get_paginator("scan")
    return [
        item["PK"]["S"].removeprefix("REPORT#")
        for page in pages.paginate(TableName="vdp-local")
        for item in page["Items"]
        if item["PK"]["S"].startswith("REPORT#") and item["SK"]["S"] == "META"
    ]


def _drain_received(stack: Stack, queue: str, expected: int) -> list[str]:
    """Every report.received on the queue; stops after a quiet poll once `expected` arrived.

    Messages are left invisible rather than deleted: the queue is this test's alone.
    """
    sqs, received, deadline = stack.client("sqs"), [], time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=600
        ).get("Messages", [])
        if not messages and len(received) >= expected:
            break
        for message in messages:
            event: dict[str, Any] = json.loads(json.loads(message["Body"])["Message"])
            if event["event"] == "report.received":
                received.append(event["report_id"])
    return received
