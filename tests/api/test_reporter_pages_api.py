"""The reporter's pages through Chalice's test client: the status page as a POST (with and
without a follow-up), the languages of pages, messages and stored reports."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from tests.api.helpers import JSON, error_of, form_post, post_report, report_items
from tests.builders import FORM_FIELDS

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}


def status_post(api: Any, **fields: str) -> Any:
    return api.post("/status", headers=FORM, body=urlencode(fields))


def submitted(api: Any, **headers: str) -> dict[str, Any]:
    return json.loads(post_report(api, headers={**JSON, **headers}).body)


def test_the_status_page_opens_with_id_and_receipt_in_the_body(api) -> None:
    accepted = submitted(api)

    page = status_post(api, report_id=accepted["report_id"], receipt=accepted["receipt"])
    html = page.body.decode()

    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f"Report {accepted['report_id']}" in html and 'id="r-status">Received<' in html
    assert "We acknowledge it by" in html  # the next promise, while it is still to keep


def test_a_wrong_receipt_gets_the_look_up_form_again_with_a_404(api) -> None:
    accepted = submitted(api)

    wrong = status_post(api, report_id=accepted["report_id"], receipt="not-the-receipt")
    unknown = status_post(api, report_id="VDP-0000-0000", receipt=accepted["receipt"])

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.body.decode().count("We found no report with this ID and receipt") == 1
    assert accepted["receipt"] not in unknown.body.decode()


def test_a_follow_up_from_the_page_shows_with_its_text(api) -> None:
    accepted = submitted(api)
    ids = {"report_id": accepted["report_id"], "receipt": accepted["receipt"]}

    sent = status_post(api, **ids, message="The <b>admin</b> panel is affected too.")
    empty = status_post(api, **ids, message="   ")
    html = sent.body.decode()

    assert sent.status_code == 201 and "Your message was sent." in html
    assert "The &lt;b&gt;admin&lt;/b&gt; panel is affected too." in html
    assert empty.status_code == 422 and "Write a message." in empty.body.decode()


def test_the_json_status_shows_the_next_promise_and_the_own_message(api) -> None:
    accepted = submitted(api)
    auth = {"Authorization": f"Bearer {accepted['receipt']}", **JSON}
    api.post(f"/reports/{accepted['report_id']}/messages", headers=auth,
             body=json.dumps({"message": "Any news?"}))  # fmt: skip

    view = json.loads(api.get(f"/reports/{accepted['report_id']}", headers=auth).body)

    assert view["next_promise"] == {"promise": "acknowledge", "by": accepted["acknowledge_by"]}
    assert view["history"][-1]["message"] == "Any news?"


def test_pages_follow_accept_language_and_the_switch(api) -> None:
    german = api.get("/form", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    chosen = api.get("/form?lang=en", headers={"Accept-Language": "de"})
    other = api.get("/status", headers={"Accept-Language": "fr"})

    assert '<html lang="de">' in german.body.decode()
    assert "Schwachstelle an Example Corp melden" in german.body.decode()
    assert (
        '<html lang="en">' in chosen.body.decode() and 'href="form?lang=de"' in chosen.body.decode()
    )
    assert '<html lang="en">' in other.body.decode()  # the policy's first language


def test_a_german_form_post_gets_a_german_receipt_and_a_german_report(api) -> None:
    page = form_post(api, {**FORM_FIELDS, "lang": "de"})
    html = page.body.decode()
    report_id = re.search(r'id="r-report-id">(VDP-[\w-]+)<', html)

    assert page.status_code == 201 and "Meldung eingegangen" in html
    assert re.search(r'<time datetime="[\d-]+">\d+\. \w+ \d{4}</time>', html)  # 9. Dezember 2026
    assert report_id is not None
    [item] = [i for i in report_items() if i["report_id"]["S"] == report_id.group(1)]
    assert item["language"]["S"] == "de"


def test_field_messages_follow_accept_language_and_dates_stay_iso(api) -> None:
    invalid = {"title": "abc", "description": "short", "policy_accepted": True}
    german = error_of(post_report(api, invalid, {**JSON, "Accept-Language": "de"}))
    english = error_of(post_report(api, invalid, JSON))
    accepted = submitted(api, **{"Accept-Language": "de"})

    assert {f["field"]: f["message"] for f in german["fields"]} == {
        "title": "Geben Sie Ihrer Meldung einen Titel mit mindestens 5 Zeichen.",
        "description": "Beschreiben Sie die Schwachstelle in mindestens 20 Zeichen.",
        "product": "Wählen Sie das Produkt, um das es in dieser Meldung geht.",
    }
    assert {f["field"]: f["message"] for f in english["fields"]}["product"] == (
        "Choose the product this report is about."
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", accepted["acknowledge_by"])


def test_the_status_page_names_a_disclosed_issues_identifiers(api) -> None:
    from chalicelib import bootstrap
    from chalicelib.usecases.team.advisories import disclose, set_advisory
    from chalicelib.usecases.team.triage import change_status

    accepted = submitted(api)
    rid, ports = accepted["report_id"], bootstrap.ports()
    set_advisory(ports, "team", rid, cve_ids=["CVE-2026-1234"], aliases=["GHSA-abcd-efgh-ijkl"])
    for status in ("triaged", "accepted", "fixed"):
        change_status(ports, "team", rid, status)
    disclose(ports, "team", rid)

    html = status_post(api, report_id=rid, receipt=accepted["receipt"]).body.decode()

    assert "<code>CVE-2026-1234</code>, <code>GHSA-abcd-efgh-ijkl</code>" in html
