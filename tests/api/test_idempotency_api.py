"""Idempotency-Key through the Chalice app: a retried post, JSON or form, files one report
and gets the first answer; the form page carries a key of its own."""

import json
import re
from typing import Any

from tests.api.helpers import (
    JSON,
    form_post,
    page_key,
    post_report,
    report_items,
    reports_stored,
    stored_items,
    stored_objects,
)
from tests.builders import API_REPORT, FORM_FIELDS


def test_retry_with_the_same_key_returns_the_original_answer(api) -> None:
    headers = {**JSON, "Idempotency-Key": "form-load-8f2c"}

    first = post_report(api, headers=headers)
    second = post_report(api, headers=headers)

    assert first.status_code == second.status_code == 201
    assert json.loads(second.body) == json.loads(first.body)
    assert len(report_items()) == 1
    assert json.loads(first.body)["receipt"] not in json.dumps(stored_items(), default=repr)


def test_a_retried_honeypot_answer_repeats_like_a_real_one_and_stores_nothing(api) -> None:
    bot = {**JSON, "Idempotency-Key": "bot-retry-1"}
    filled = {**API_REPORT, "website": "http://bot.example"}

    first, retry = (json.loads(post_report(api, filled, bot).body) for _ in range(2))
    other = json.loads(post_report(api, filled, {**bot, "Idempotency-Key": "bot-retry-2"}).body)

    assert (retry["report_id"], retry["receipt"]) == (first["report_id"], first["receipt"])
    assert other["report_id"] != first["report_id"]
    assert re.fullmatch(r"VDP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", first["report_id"])
    assert len(first["receipt"]) == 32
    assert reports_stored() == []


def test_a_decoy_receipt_opens_a_status_like_a_received_reports(api) -> None:
    real = json.loads(post_report(api).body)
    decoy = json.loads(post_report(api, {**API_REPORT, "website": "http://bot.example"}).body)

    def status(answer: dict[str, Any]) -> Any:
        auth = {"Authorization": f"Bearer {answer['receipt']}"}
        return api.get(f"/reports/{answer['report_id']}", headers=auth)

    real_view, decoy_view = json.loads(status(real).body), json.loads(status(decoy).body)
    follow_up = api.post(
        f"/reports/{decoy['report_id']}/messages",
        headers={**JSON, "Authorization": f"Bearer {decoy['receipt']}"},
        body=json.dumps({"message": "Any news?"}),
    )
    [item] = [i for i in stored_items() if i["SK"]["S"] == "DECOY"]

    assert status(decoy).status_code == 200
    assert set(decoy_view) == set(real_view) and decoy_view["status"] == "received"
    assert [h["type"] for h in decoy_view["history"]] == ["status"]
    assert follow_up.status_code == 201
    assert not [key for key in stored_objects() if decoy["report_id"] in key]  # no content
    assert set(item) == {"PK", "SK", "receipt_hash", "created_at", "acknowledge_by", "expires_at"}


def test_a_form_sent_twice_files_one_report(api) -> None:
    fields = {**FORM_FIELDS, "idempotency_key": page_key(api.get("/form").body.decode())}

    first, again = form_post(api, fields), form_post(api, fields)

    assert first.status_code == again.status_code == 201
    assert first.body == again.body  # the same receipt page: id and receipt
    assert len([i for i in stored_items() if i["SK"]["S"] == "META"]) == 1


def test_each_form_page_has_its_own_key_and_a_refused_form_gets_a_fresh_one(api) -> None:
    key = page_key(api.get("/form").body.decode())
    refused = form_post(api, {**FORM_FIELDS, "title": "x", "idempotency_key": key})

    assert key != page_key(api.get("/form").body.decode())
    assert refused.status_code == 422 and page_key(refused.body.decode()) != key


def test_a_sent_form_edited_and_sent_again_says_so_and_gets_a_fresh_key(api) -> None:
    key = page_key(api.get("/form").body.decode())
    assert form_post(api, {**FORM_FIELDS, "idempotency_key": key}).status_code == 201

    edited = form_post(api, {**FORM_FIELDS, "title": "Another title", "idempotency_key": key})
    fresh = page_key(edited.body.decode())
    again = form_post(api, {**FORM_FIELDS, "title": "Another title", "idempotency_key": fresh})

    assert edited.status_code == 422 and fresh != key
    assert "This form was already sent with other content" in edited.body.decode()
    assert again.status_code == 201


def test_a_rate_limited_form_keeps_its_key_for_the_same_report(api) -> None:
    for _ in range(5):
        assert form_post(api, FORM_FIELDS).status_code == 201
    key = page_key(api.get("/form").body.decode())

    refused = form_post(api, {**FORM_FIELDS, "idempotency_key": key})

    assert refused.status_code == 429 and page_key(refused.body.decode()) == key
