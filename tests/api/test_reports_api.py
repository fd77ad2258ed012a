"""POST /reports and GET /reports/{id} through chalice's test client."""

import json

import pytest

from tests.api.helpers import (
    JSON,
    error_of,
    post_report,
    reports_stored,
    stored_items,
    stored_objects,
)
from tests.builders import API_REPORT
from tests.conftest import boto

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
)


def test_submission_answers_201_with_a_receipt_once(api) -> None:
    response = post_report(api)

    assert response.status_code == 201
    body = json.loads(response.body)
    assert set(body) == {"report_id", "receipt", "status", "acknowledge_by", "status_url", "flags"}
    assert body["status"] == "received"
    assert body["status_url"].endswith(f"/status#{body['report_id']}.{body['receipt']}")
    assert response.headers["Cache-Control"] == "no-store"
    assert all(name in response.headers for name in SECURITY_HEADERS)


def test_reporter_reads_status_with_the_receipt(api) -> None:
    accepted = json.loads(post_report(api).body)

    response = api.get(
        f"/reports/{accepted['report_id']}",
        headers={"Authorization": f"Bearer {accepted['receipt']}"},
    )

    assert response.status_code == 200
    view = json.loads(response.body)
    assert view["status"] == "received"
    assert view["acknowledge_by"] == accepted["acknowledge_by"]
    assert view["history"][0]["status"] == "received"
    assert "Path traversal" not in response.body.decode()


@pytest.mark.parametrize("case", ["wrong receipt", "no header", "unknown id", "basic auth"])
def test_every_failed_lookup_is_the_same_404(api, case: str) -> None:
    accepted = json.loads(post_report(api).body)
    report_id = "VDP-0000-0000" if case == "unknown id" else accepted["report_id"]
    headers = {
        "wrong receipt": {"Authorization": "Bearer not-the-receipt"},
        "no header": {},
        "unknown id": {"Authorization": f"Bearer {accepted['receipt']}"},
        "basic auth": {"Authorization": f"Basic {accepted['receipt']}"},
    }[case]

    response = api.get(f"/reports/{report_id}", headers=headers)

    assert response.status_code == 404
    assert json.loads(response.body) == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("{not json", JSON, 400, "bad_json"),
        ('{"title": "a", "title": "b"}', JSON, 400, "bad_json"),
        ('{"x": NaN}', JSON, 400, "bad_json"),
        ("[" * 100_000, JSON, 400, "bad_json"),
        (b"\xff\xfe", JSON, 400, "bad_json"),
        ("hello", {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ("[1, 2]", JSON, 422, "validation_failed"),
        (json.dumps({**API_REPORT, "policy_accepted": False}), JSON, 422, "validation_failed"),
        ("x" * (6 * 1024 * 1024 + 1), JSON, 413, "payload_too_large"),
    ],
)
def test_bad_input_gets_its_status_and_stores_nothing(api, body, headers, status, code) -> None:
    response = post_report(api, body, headers)

    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert all(name in response.headers for name in SECURITY_HEADERS)
    assert stored_objects() == [] and stored_items() == []


def test_missing_title_is_named_without_echoing_values(api) -> None:
    body = {k: v for k, v in API_REPORT.items() if k != "title"}
    body["reporter"] = {"email": "not-an-email-but-a-secret-9f3a"}

    response = post_report(api, body)

    error = error_of(response)
    assert response.status_code == 422
    assert {f["field"] for f in error["fields"]} == {"title", "reporter.email"}
    assert "secret-9f3a" not in response.body.decode()


def test_honeypot_answers_like_a_normal_submission_and_stores_nothing(api, aws, outbox) -> None:
    response = post_report(api, {**API_REPORT, "website": "http://bot.example"})

    assert response.status_code == 201
    assert set(json.loads(response.body)) == {
        "report_id", "receipt", "status", "acknowledge_by", "status_url", "flags",
    }  # fmt: skip
    assert reports_stored() == []
    assert outbox.pump() == []
    sent = boto("sqs").receive_message(QueueUrl=aws.team_queue_url, WaitTimeSeconds=0)
    assert sent.get("Messages", []) == []


def test_a_bot_cannot_tell_the_honeypot_by_its_answers(api) -> None:
    # Flags, validation and limits as for a real report: only nothing is kept.
    flagged = {**API_REPORT, "version": "0.1", "title": "Denial of service via the login form"}
    bot = {"website": "http://bot.example"}

    real, fake = post_report(api, flagged), post_report(api, {**flagged, **bot})
    invalid = post_report(api, {**API_REPORT, **bot, "title": "abc"})
    retry = {**JSON, "Idempotency-Key": "bot-1"}
    counted = [post_report(api, {**API_REPORT, **bot}, retry).status_code for _ in range(3)]
    counted += [post_report(api, {**API_REPORT, **bot}).status_code for _ in range(3)]

    assert json.loads(fake.body)["flags"] == json.loads(real.body)["flags"] != []
    assert invalid.status_code == 422 and error_of(invalid)["fields"][0]["field"] == "title"
    # Five an hour per source, the real report included; a retry under its key is no new one.
    assert counted == [201, 201, 201, 201, 201, 429]
    assert len([k for k in reports_stored() if k.startswith("REPORT#")]) == 1


def test_stored_report_is_encrypted_and_metadata_is_content_free(api) -> None:
    accepted = json.loads(post_report(api).body)

    keys = stored_objects()
    items = json.dumps(stored_items())
    blobs = [
        boto("s3").get_object(Bucket="vdp-local-reports", Key=key)["Body"].read() for key in keys
    ]

    assert sorted(keys) == [
        f"reports/{accepted['report_id']}/contact.enc",  # the reporter's address, on its own
        f"reports/{accepted['report_id']}/report.enc",
    ]
    for blob in blobs:
        assert blob.startswith(b"VDPE\x01")  # the sealed format, not the JSON
    for secret in ("Path traversal", "passwd", "Linus", "linus@example.org", accepted["receipt"]):
        assert secret not in items
        assert not any(secret.encode() in blob for blob in blobs)


def test_wrong_method_is_reshaped_to_our_error(api) -> None:
    response = api.put("/reports", headers=JSON, body="{}")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"].split(", ")


def test_an_id_typed_in_lower_case_opens_the_report(api) -> None:
    accepted = json.loads(post_report(api).body)
    auth = {"Authorization": f"Bearer {accepted['receipt']}"}
    lower = accepted["report_id"].lower()

    status = api.get(f"/reports/{lower}", headers=auth)
    follow_up = api.post(
        f"/reports/{lower}/messages", headers={**auth, **JSON}, body=json.dumps({"message": "hi"})
    )

    assert (
        status.status_code == 200 and json.loads(status.body)["report_id"] == accepted["report_id"]
    )
    assert follow_up.status_code == 201
    assert json.loads(follow_up.body)["report_id"] == accepted["report_id"]
    assert [
        e["type"] for e in json.loads(api.get(f"/reports/{lower}", headers=auth).body)["history"]
    ] == ["status", "message"]


def test_a_follow_up_in_a_form_encoding_is_told_to_send_json(api) -> None:
    accepted = json.loads(post_report(api).body)

    refused = api.post(
        f"/reports/{accepted['report_id']}/messages",
        headers={
            "Authorization": f"Bearer {accepted['receipt']}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body="message=hi",
    )

    assert refused.status_code == 415
    assert error_of(refused) == {
        "code": "unsupported_media_type",
        "message": "Send application/json.",
    }
