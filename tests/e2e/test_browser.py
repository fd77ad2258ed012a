"""The researcher's side in headless Chromium (Debian's, driven by Playwright): the policy
site's embedded form, attachments, receipt, status page and follow-up, the form without
JavaScript, a phone-sized screen and axe-core's accessibility rules."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.policy.document import DEFAULT_POLICY
from tests.e2e.conftest import Stack, fill_report, shot
from tests.e2e.httpclient import request

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_embedded_form_attachment_receipt_status_and_follow_up(site: Stack, page: Any,
                                                              tmp_path: Path) -> None:  # fmt: skip
    proof = tmp_path / "proof.txt"
    proof.write_bytes(b"curl 'https://app.example.com/export?file=../../etc/passwd'\n")
    page.goto(site.site)
    form = page.frame_locator("#vdp-form iframe")
    fill_report(form, "Path traversal in the export endpoint")
    form.get_by_label("Attachments").set_input_files(str(proof))

    form.get_by_role("button", name="Send report").click()
    receipt = form.locator("#r-receipt").text_content(timeout=20_000)
    report_id = form.locator("#r-report-id").text_content()
    status_url = form.locator("#r-status-link").get_attribute("href")
    page.wait_for_function("document.querySelector('#vdp-form iframe').style.height !== '1200px'")
    shot(page, "policy-site-receipt")

    assert receipt and len(receipt) >= 22 and report_id and report_id.startswith("VDP-")
    assert form.get_by_text("it is shown only once").is_visible()
    assert status_url == f"{site.api}/status#{report_id}.{receipt}"
    assert form.get_by_role("button", name="Copy receipt").is_visible()

    page.goto(status_url)
    page.locator("#r-status").get_by_text("Received").wait_for()
    page.get_by_label("Message").fill("Absolute paths work too: ?file=/etc/shadow")
    page.get_by_role("button", name="Send message").click()
    page.locator("#vdp-live").get_by_text("Your message was sent.").wait_for()
    shot(page, "status-after-follow-up")

    s3 = site.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="vdp-local-reports")["Contents"]]
    assert f"reports/{report_id}/attachments/0.enc" in keys
    assert any(k.startswith(f"reports/{report_id}/messages/") for k in keys)
    site.wait_for_output(f"report.message_received {report_id}")
    assert page.problems == []


def test_form_works_without_javascript(site: Stack, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    proof = tmp_path / "proof.bin"
    proof.write_bytes(bytes(range(256)) * 4)
    page.goto(site.site)
    page.get_by_role("link", name="open the report form").click()

    page.get_by_label("Title").fill("abc")
    page.get_by_role("button", name="Send report").click()
    assert page.locator("#vdp-errors").is_visible()
    assert page.locator("#f-description-error").is_visible()
    assert page.get_by_label("Title").input_value() == "abc"
    shot(page, "no-js-errors")

    fill_report(page, "Path traversal without JavaScript")
    page.get_by_label("Attachments").set_input_files(str(proof))
    page.get_by_role("button", name="Send report").click()
    report_id = page.locator("#r-report-id").text_content()
    shot(page, "no-js-receipt")
    context.close()

    assert page.url == f"{site.api}/reports"  # the receipt never travelled in a URL
    shown = site.cli("reports", "show", str(report_id), "--json")
    assert shown.returncode == 0, shown.stderr
    assert "Path traversal without JavaScript" in shown.stdout and "proof.bin" in shown.stdout


def test_four_megabyte_attachment_round_trips(site: Stack, page: Any, tmp_path: Path) -> None:
    big = tmp_path / "memory-dump.bin"
    big.write_bytes(os.urandom(4 * 1024 * 1024))
    page.goto(f"{site.api}/form")
    fill_report(page, "Heap contents leak in the export endpoint")
    page.get_by_label("Attachments").set_input_files(str(big))

    page.get_by_role("button", name="Send report").click()
    report_id = page.locator("#r-report-id").text_content(timeout=60_000)
    shown = site.cli("reports", "show", str(report_id), "--attachments-dir", str(tmp_path / "out"))

    assert shown.returncode == 0, shown.stderr
    [written] = (tmp_path / "out").iterdir()
    assert written.name == "0-memory-dump.bin"  # the name its OpenPGP message carries
    assert (
        hashlib.sha256(written.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()
    )


@pytest.mark.parametrize("path", ["/form", "/status"])
def test_pages_fit_a_phone_screen(site: Stack, browser: Any, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site.api}{path}")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    shot(page, f"phone{path.replace('/', '-')}")
    context.close()

    assert widths[0] <= widths[1]


@pytest.mark.parametrize("path", ["/form", "/status"])
def test_no_serious_accessibility_violations(site: Stack, page: Any, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{site.api}{path}")
    violations = Axe().run(page).response["violations"]

    serious = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_form_errors_are_accessible_too(site: Stack, page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{site.api}/form")
    page.get_by_role("button", name="Send report").click()
    page.locator("#vdp-errors").wait_for()
    violations = Axe().run(page).response["violations"]

    assert page.locator("#f-title").get_attribute("aria-invalid") == "true"
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def test_cors_preflight_allows_only_the_policy_site(site: Stack) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = request("OPTIONS", f"{site.api}/reports", headers={**preflight, "Origin": site.site})
    other = request("OPTIONS", f"{site.api}/reports",
                    headers={**preflight, "Origin": "http://evil.example"})  # fmt: skip

    assert allowed.headers["access-control-allow-origin"] == site.site
    assert "Origin" in allowed.headers["vary"]
    assert "access-control-allow-origin" not in other.headers


def test_policy_site_gets_the_api_origin(site: Stack) -> None:
    page = request("GET", f"{site.site}/").body.decode()

    assert f'<script src="{site.api}/embed.js"' in page and "{{VDP_API}}" not in page
    assert "Safe harbor" in page and DEFAULT_POLICY.exists()
