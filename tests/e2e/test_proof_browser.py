"""Proof-of-work in a real browser: the form's script solves the challenge with Web Crypto;
without JavaScript the form's token stands in for it once its short wait is over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack, fill_report, relaxed_policy, shot, start_stack, stop_stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def pow_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    text = Path(relaxed_policy()).read_text()
    text = re.sub(r'^proof_of_work = ".*"$', 'proof_of_work = "always"', text, flags=re.M)
    text = re.sub(
        r"^proof_of_work_difficulty = \d+$", "proof_of_work_difficulty = 12", text, flags=re.M
    )
    text = re.sub(
        r"^proof_of_work_form_wait_seconds = \d+$",
        "proof_of_work_form_wait_seconds = 3",
        text,
        flags=re.M,
    )
    path = tmp_path_factory.mktemp("pow") / "policy.toml"
    path.write_text(text)
    running = start_stack({"VDP_POLICY_PATH": str(path)})
    yield running
    stop_stack(running)


def test_the_form_solves_the_challenge_before_sending(pow_stack: Stack, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{pow_stack.api}/form")
    fill_report(page, "Proof-of-work protected report")

    with page.expect_request(lambda r: r.url.endswith("/reports") and r.method == "POST") as sent:
        page.get_by_role("button", name="Send report").click()
    receipt = page.locator("#r-receipt").text_content(timeout=30_000)
    shot(page, "proof-of-work-receipt")
    context.close()

    proof = sent.value.headers.get("vdp-proof", "")
    assert receipt and len(receipt) >= 22
    assert re.fullmatch(r"[\w-]+\.[\w-]+:\d+", proof)


def test_without_javascript_a_short_wait_stands_in_for_the_work(
    pow_stack: Stack, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{pow_stack.api}/form")
    fill_report(page, "Report from a browser without JavaScript")

    # Sent at once: the form comes back, filled in, and says how long to wait.
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    refused = page.locator("#vdp-errors").inner_text()
    shot(page, "proof-of-work-no-js")
    page.wait_for_timeout(3_500)
    page.get_by_label("I have read and accept the disclosure policy").check()
    page.get_by_role("button", name="Send report").click()
    report_id = page.locator("#r-report-id").text_content()
    context.close()

    assert re.search(r"send it again in \d seconds", refused)
    assert report_id and report_id.startswith("VDP-")
