"""Idempotency-Key over real HTTP: concurrent retries file one report, and a form whose
answer was lost, then edited, becomes a fresh form in a real browser."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.builders import MINIMAL_REPORT
from tests.e2e.conftest import Stack, fill_report
from tests.e2e.httpclient import post_json, request

pytestmark = pytest.mark.e2e

LOST_REPORT = {
    "title": "Session fixation",
    "description": "The session id set before login is kept after login.",
    "product": "example-app",
    "policy_accepted": True,
}


def meta_items(stack: Stack) -> list[dict]:
    items = stack.client("dynamodb").scan(TableName="vdp-local")["Items"]
    return [i for i in items if i["SK"]["S"] == "META"]


def test_concurrent_retries_with_one_key_create_one_report(site: Stack) -> None:
    url = f"{site.api}/reports"
    before = len(meta_items(site))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: post_json(
                    url, MINIMAL_REPORT, {"Idempotency-Key": "tab-7d1e"}, source="127.0.0.9"
                ),
                range(4),
            )
        )

    assert [a.status for a in answers] == [201] * 4
    assert len({a.json()["report_id"] for a in answers}) == 1
    assert len({a.json()["receipt"] for a in answers}) == 1
    assert len(meta_items(site)) == before + 1


@pytest.mark.browser
def test_a_form_whose_answer_was_lost_and_is_edited_becomes_a_fresh_form(
    site: Stack, page: Any
) -> None:
    page.goto(f"{site.api}/form")
    fill_report(page, "Session fixation on the login page")
    key = page.locator('input[name="idempotency_key"]').get_attribute("value")
    # The first send went through, but its answer never arrived:
    lost = request(
        "POST", f"{site.api}/reports", json.dumps({**LOST_REPORT}),
        {"Content-Type": "application/json", "Idempotency-Key": str(key)}, "127.0.0.1",
    )  # fmt: skip
    assert lost.status == 201

    page.get_by_role("button", name="Send report").click()  # edited: other content
    page.locator("#vdp-errors").wait_for()
    shown = page.locator("#vdp-errors").inner_text()
    fresh = page.locator('input[name="idempotency_key"]').get_attribute("value")
    page.get_by_role("button", name="Send report").click()

    assert "This form was already sent with other content" in shown
    assert fresh != key
    assert page.locator("#r-report-id").text_content(timeout=30_000)
    # The browser notes the 422 itself; anything else (a script error) is a defect.
    assert [p for p in page.problems if not p.startswith("Failed to load resource")] == []
