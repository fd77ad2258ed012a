"""The researcher-facing web through Chalice's test client: pages, no-JS posts, files,
follow-ups and the CORS allow-list."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest

from tests.api.helpers import (
    JSON,
    error_of,
    form_post,
    multipart,
    post_report,
    stored_items,
    stored_objects,
)
from tests.builders import FORM_FIELDS
from tests.conftest import LOCAL_ENV, boto

LOCAL_BUCKET = LOCAL_ENV["VDP_BUCKET"]

ALLOWED = "http://127.0.0.1:8001"


def submitted(api: Any) -> dict[str, Any]:
    return json.loads(post_report(api).body)


def test_form_shows_the_policy_and_may_be_framed_by_allowed_origins(api) -> None:
    response = api.get("/form")
    page = response.body.decode()

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and f"frame-ancestors 'self' {ALLOWED}" in csp
    assert "X-Frame-Options" not in response.headers
    for text in ("Example App", "1.x (security fixes only)", "below 1.0: not supported",
                 "Social engineering", "leave the contact fields empty",
                 'name="reporter.email"', 'name="credit.wants_credit"', 'name="bounty_interest"',
                 'name="policy_accepted"', 'type="file" multiple'):  # fmt: skip
        assert text in page
    assert "<script>" not in page and "style=" not in page
    assert 'aria-hidden="true"><label for="f-website">' in page
    assert 'name="website" tabindex="-1" autocomplete="off"' in page


def test_json_responses_still_refuse_framing(api) -> None:
    response = post_report(api)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/embed.js", "text/javascript"), ("/assets/form.js", "text/javascript"),
     ("/assets/status.js", "text/javascript"), ("/assets/form.css", "text/css"),
     ("/status", "text/html")],
)  # fmt: skip
def test_pages_and_assets_are_served_with_their_types(api, path: str, kind: str) -> None:
    response = api.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(kind)


def test_unknown_asset_is_our_404(api) -> None:
    response = api.get("/assets/page.html")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_form_post_without_javascript_answers_a_receipt_page(api) -> None:
    response = form_post(api, FORM_FIELDS)
    page = response.body.decode()

    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Location" not in response.headers
    assert "shown only once" in page
    [key] = stored_objects()
    report_id = key.split("/")[1]
    assert report_id in page and f"/status#{report_id}." in page


def test_form_post_from_a_script_gets_json(api) -> None:
    response = form_post(api, FORM_FIELDS, accept="application/json")

    assert response.status_code == 201
    assert set(json.loads(response.body)) >= {"report_id", "receipt"}


@pytest.mark.parametrize("name", ["\u00c0", "title\n", "a" * 65, "<b>"])
def test_a_repeated_odd_field_name_is_not_echoed(api, name: str) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    body = urlencode([*FORM_FIELDS.items(), (name, "1"), (name, "2")])

    response = api.post("/reports", headers=headers, body=body)

    assert response.status_code == 422
    assert error_of(response)["fields"] == [
        {"field": "(unknown field)", "message": "Send this field once."}
    ]
    assert not stored_objects()


def test_invalid_form_post_gets_the_form_back_with_errors_and_values(api) -> None:
    fields = {**FORM_FIELDS, "title": "abc", "policy_accepted": "", "website": ""}
    fields["description"] = "short but <b>mine</b>"

    response = form_post(api, fields)
    page = response.body.decode()

    assert response.status_code == 422
    assert 'id="vdp-errors"' in page and 'id="f-title-error"' in page
    assert 'id="f-policy-accepted-error"' in page and 'aria-invalid="true"' in page
    assert "short but &lt;b&gt;mine&lt;/b&gt;" in page and "<b>mine" not in page
    assert stored_objects() == [] and stored_items() == []


def test_multipart_files_become_encrypted_parts(api) -> None:
    files = [("proof.txt", b"GET /export?file=../../etc/passwd"), ("dump.bin", bytes(range(256)))]
    headers, body = multipart(FORM_FIELDS, files)

    response = api.post("/reports", headers=headers, body=body)

    assert response.status_code == 201
    keys = sorted(stored_objects())
    assert [k.split("/", 2)[2] for k in keys] == ["attachments/0.enc", "attachments/1.enc",
                                                   "report.enc"]  # fmt: skip


@pytest.mark.parametrize(
    "files",
    [[(f"f{n}.txt", b"x") for n in range(6)], [("big.bin", b"x" * (4 * 1024 * 1024 + 1))]],
    ids=["six files", "over 4 MB"],
)
def test_too_many_or_too_large_files_are_named(api, files) -> None:
    headers, body = multipart(FORM_FIELDS, files)

    response = api.post("/reports", headers={**headers, "Accept": "application/json"}, body=body)

    assert response.status_code == 422
    assert [f["field"] for f in error_of(response)["fields"]] == ["attachments"]
    assert stored_objects() == []


def test_reporter_sends_a_follow_up(api) -> None:
    accepted = submitted(api)
    auth = {**JSON, "Authorization": f"Bearer {accepted['receipt']}"}

    response = api.post(
        f"/reports/{accepted['report_id']}/messages",
        headers=auth,
        body=json.dumps({"message": "The export endpoint also accepts absolute paths."}),
    )

    assert response.status_code == 201
    answer = json.loads(response.body)
    assert answer["report_id"] == accepted["report_id"]
    assert (
        f"reports/{accepted['report_id']}/messages/{answer['message_id']}.enc" in stored_objects()
    )
    assert "absolute paths" not in json.dumps(stored_items())


@pytest.mark.parametrize(
    ("receipt", "body", "status"),
    [("wrong", {"message": "hello"}, 404), (None, {"message": ""}, 422),
     (None, {"message": "x" * 20_001}, 422), (None, {"message": "hi", "extra": 1}, 422),
     (None, {"message": 5}, 422)],
)  # fmt: skip
def test_follow_up_is_checked_like_a_submission(api, receipt, body, status) -> None:
    accepted = submitted(api)
    auth = {**JSON, "Authorization": f"Bearer {receipt or accepted['receipt']}"}

    response = api.post(
        f"/reports/{accepted['report_id']}/messages", headers=auth, body=json.dumps(body)
    )

    assert response.status_code == status
    assert not any("/messages/" in key for key in stored_objects())


@pytest.mark.parametrize("path", ["/reports", "/reports/VDP-0000-0000",
                                  "/reports/VDP-0000-0000/messages"])  # fmt: skip
def test_preflight_echoes_only_allowed_origins(api, path: str) -> None:
    request = {"Access-Control-Request-Method": "POST"}

    allowed = api.options(path, headers={**request, "Origin": ALLOWED})
    other = api.options(path, headers={**request, "Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in allowed.headers["Vary"]
    assert "Idempotency-Key" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_actual_responses_carry_cors_only_for_allowed_origins(api) -> None:
    allowed = post_report(api, headers={**JSON, "Origin": ALLOWED})
    other = post_report(api, headers={**JSON, "Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Access-Control-Allow-Origin" not in other.headers
    assert other.headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/reports", {"Content-Type": "text/plain"}, 415),  # no preflight for text/plain
        ("PUT", "/reports", JSON, 405),
    ],
)
def test_reshaped_framework_errors_keep_their_cors_headers(api, method, path, headers, status):
    answer = getattr(api, method.lower())(path, headers={**headers, "Origin": ALLOWED}, body="{}")

    assert answer.status_code == status and json.loads(answer.body)["error"]["code"]
    assert answer.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert answer.headers["Vary"] == "Origin"


def test_an_origin_is_echoed_only_as_a_browser_sends_it(api) -> None:
    odd = post_report(api, headers={**JSON, "Origin": ALLOWED + "//"})

    assert odd.status_code == 201 and "Access-Control-Allow-Origin" not in odd.headers


def test_a_rate_limited_form_post_says_when_to_try_again(api) -> None:
    for _ in range(5):
        assert form_post(api, FORM_FIELDS).status_code == 201

    refused = form_post(api, FORM_FIELDS)

    assert refused.status_code == 429 and refused.headers["Content-Type"].startswith("text/html")
    assert 0 < int(refused.headers["Retry-After"]) <= 3601


def test_a_form_post_while_storage_is_down_says_when_to_try_again(api) -> None:
    boto("s3").delete_bucket(Bucket=LOCAL_BUCKET)  # nothing stored yet: it deletes

    refused = form_post(api, FORM_FIELDS)

    assert refused.status_code == 503 and refused.headers["Content-Type"].startswith("text/html")
    assert int(refused.headers["Retry-After"]) > 0


@pytest.mark.parametrize("page", ["form", "status", "acknowledgments"])
def test_a_page_asked_for_with_a_trailing_slash_moves_to_its_own_address(api, page) -> None:
    moved = api.get(f"/{page}/")

    assert moved.status_code == 308 and moved.headers["Location"] == f"../{page}"
    assert urljoin(f"http://h/api/{page}/", moved.headers["Location"]) == f"http://h/api/{page}"
    assert api.get(f"/{page}").status_code == 200
