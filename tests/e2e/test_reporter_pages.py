"""What a reporter sees, in each of the policy's languages, on a phone and on a desktop:
the form, the receipt, the status page and the acknowledgments (screenshots, axe, no
sideways scrolling); the walk without JavaScript; one refusal worded the same on every path."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from babel.dates import format_date

from tests.e2e.conftest import DESCRIPTION, Stack, shot
from tests.e2e.httpclient import request

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

LANGUAGES = {"en": "en-US", "de": "de-DE"}
WIDTHS = (375, 1280)
CREDITED = "Ada Canary"
JSON_HEADERS = {"Content-Type": "application/json"}
# Refused on every path alike: short title, no product, a malformed address, policy unticked.
INVALID = {"title": "abc", "email": "not-an-email"}


@pytest.fixture(scope="module")
def credited(site: Stack) -> str:
    """A disclosed report whose reporter asked for credit, published on /acknowledgments."""
    report = {
        "title": "Credited finding", "description": DESCRIPTION, "product": "example-app",
        "reporter": {"name": CREDITED}, "credit": {"wants_credit": True},
        "policy_accepted": True,
    }  # fmt: skip
    sent = request("POST", f"{site.api}/reports", json.dumps(report), JSON_HEADERS)
    report_id = sent.json()["report_id"]
    steps = [["status", report_id, status] for status in ("triaged", "accepted", "fixed")]
    for command in (*steps, ["disclose", report_id], ["credit", report_id, "--publish"]):
        done = site.cli("reports", *command)
        assert done.returncode == 0, done.stderr
    return str(report_id)


def open_page(browser: Any, lang: str, width: int = 1280, javascript: bool = True) -> Any:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=LANGUAGES[lang],
        java_script_enabled=javascript, is_mobile=width < 500,
    )  # fmt: skip
    problems: list[str] = []  # console errors (CSP violations among them), on every tab
    context.on("console", lambda m: m.type == "error" and problems.append(m.text))
    context.on("weberror", lambda e: problems.append(str(e.error)))
    page = context.new_page()
    page.problems = problems
    return page


def looked_at(page: Any, name: str) -> list[tuple[str, str]]:
    """Screenshot the page; what axe finds serious, and whether it scrolls sideways."""
    from axe_playwright_python.sync_playwright import Axe

    shot(page, name)
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return serious + ([("scrolls sideways", f"{scroll} > {width}")] if scroll > width else [])


def fill(page: Any, title: str, *, invalid: bool = False) -> None:
    """The form by its controls' ids, whatever the page's language."""
    page.locator("#f-title").fill(INVALID["title"] if invalid else title)
    if not invalid:
        page.locator("#f-product").select_option("example-app")
        page.locator("#f-policy-accepted").check()
    page.locator("#f-description").fill(DESCRIPTION)
    page.locator("#f-reporter-name").fill("Grace Reporter")
    page.locator("#f-reporter-email").fill(INVALID["email"] if invalid else "grace@example.org")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_reporter_page_in_each_language_and_width(
    site: Stack, browser: Any, credited: str, lang: str, width: int
) -> None:
    page = open_page(browser, lang, width)  # Accept-Language picks the page's language
    page.goto(f"{site.api}/form")
    language = page.locator("html").get_attribute("lang")
    form = looked_at(page, f"form-{lang}-{width}")

    fill(page, f"Reporter pages in {lang}")
    page.locator("#vdp-report button[type=submit]").click()
    page.locator("#r-receipt").wait_for()
    page.wait_for_function("document.querySelector('#r-receipt').textContent.length > 20")
    acknowledge_by = page.locator("#r-ack").inner_text()
    iso_day = page.locator("#r-ack time").get_attribute("datetime")
    receipt = looked_at(page, f"receipt-{lang}-{width}")

    with page.context.expect_page() as opened:
        page.locator(".vdp-follow button").click()
    status_page = opened.value
    status_page.locator("#r-status").wait_for()
    status = looked_at(status_page, f"status-{lang}-{width}")

    page.goto(f"{site.api}/acknowledgments")
    thanked = page.locator(".vdp-credits").inner_text()
    acknowledgments = looked_at(page, f"acknowledgments-{lang}-{width}")
    problems = page.problems
    page.context.close()

    assert language == lang
    assert (form, receipt, status, acknowledgments) == ([], [], [], [])
    # The script writes the date as the server would, in the page's language.
    assert acknowledge_by == format_date(date.fromisoformat(str(iso_day)), "long", locale=lang)
    assert CREDITED in thanked
    assert problems == []


def test_the_language_switch_keeps_the_reporter_where_they_are(site: Stack, browser: Any) -> None:
    page = open_page(browser, "en")
    page.goto(f"{site.api}/form")
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url("**/form?lang=de")
    heading = page.locator("h1").inner_text()
    fill(page, "Switched to German")
    page.locator("#vdp-report button[type=submit]").click()
    page.locator("#r-receipt").wait_for()
    page.wait_for_function("document.querySelector('#r-receipt').textContent.length > 20")
    with page.context.expect_page() as opened:
        page.locator(".vdp-follow button").click()
    status_page = opened.value
    german_status = status_page.locator("#r-heading").inner_text()
    status_page.get_by_role("button", name="English").click()
    english_status = status_page.locator("#r-heading").inner_text()
    page.context.close()

    assert heading.startswith("Schwachstelle an Example Corp melden")
    assert german_status.startswith("Meldung VDP-")
    assert english_status == german_status.replace("Meldung", "Report")


def test_the_walk_without_javascript(site: Stack, browser: Any) -> None:
    page = open_page(browser, "en", javascript=False)
    urls: list[str] = []
    page.context.on("request", lambda sent: urls.append(sent.url))
    page.goto(f"{site.api}/form")
    fill(page, "The whole walk without JavaScript")
    page.locator("#vdp-report button[type=submit]").click()
    receipt = page.locator("#r-receipt").inner_text()

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Follow your report").click()
    status_page = opened.value
    status = status_page.locator("#r-status").inner_text()
    status_page.get_by_label("Message").fill("A second endpoint is affected too.")
    status_page.get_by_role("button", name="Send message").click()
    sent = status_page.locator("#vdp-live").inner_text()
    history = status_page.locator("#r-history").inner_text()
    shot(status_page, "no-js-status-after-follow-up")
    page.context.close()

    assert len(receipt) > 20 and status == "Received"
    assert sent == "Your message was sent."
    assert "Your message" in history and "A second endpoint is affected too." in history
    assert not [url for url in urls if receipt in url]  # the receipt never went in a URL


def shown_messages(page: Any) -> set[str]:
    page.locator("#vdp-errors").wait_for()
    return set(page.locator(".vdp-error").all_inner_texts())


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_one_refusal_reads_the_same_on_every_path(site: Stack, browser: Any, lang: str) -> None:
    body = {"title": INVALID["title"], "description": DESCRIPTION,
            "reporter": {"name": "Grace Reporter", "email": INVALID["email"]},
            "policy_accepted": False}  # fmt: skip
    headers = {"Content-Type": "application/json", "Accept-Language": lang}
    answer = request("POST", f"{site.api}/reports", json.dumps(body), headers)
    over_json = {field["message"] for field in answer.json()["error"]["fields"]}
    paths = {}
    for javascript in (True, False):
        page = open_page(browser, lang, javascript=javascript)
        page.goto(f"{site.api}/form")
        fill(page, "", invalid=True)
        page.locator("#vdp-report button[type=submit]").click()
        paths[javascript] = shown_messages(page)
        page.context.close()

    assert answer.status == 422 and len(over_json) == 4
    assert over_json == paths[True] == paths[False]
    product = {"en": "Choose the product this report is about.",
               "de": "Wählen Sie das Produkt, um das es in dieser Meldung geht."}  # fmt: skip
    assert product[lang] in over_json
