"""Idempotency-Key: a retried submission gets the first answer, never a second report.

First the use case: the key is scoped to a stable pseudonym of the client address,
checked, tied to a fingerprint of the content, claimed with a lease, and its answer is kept
sealed. Then through the Chalice app: a retried post, JSON or form, files one report and
gets the first answer; the form page carries a key of its own. (Concurrent retries over
real HTTP and the form in a browser are in tests/e2e/test_idempotency_e2e.py, beside the
local stack they start.)
"""

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import Unavailable, ValidationFailed
from chalicelib.usecases.reporter.abuse import client_key
from chalicelib.usecases.reporter.idempotency import fingerprint, scoped_key
from chalicelib.usecases.reporter.intake import submit_report
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
from tests.builders import (
    API_REPORT,
    CLIENT,
    FORM_FIELDS,
    MINIMAL_REPORT,
    SECRET,
    address,
    guarded_ports,
)
from tests.unit.fakes import FRIDAY_NOON, deliver

NOON = FRIDAY_NOON


def submit(ports, client=CLIENT, key=None, report=MINIMAL_REPORT):
    return submit_report(report, ports, base_url="https://x", address=client, idempotency_key=key)


def test_same_key_returns_the_same_answer_and_one_report() -> None:
    ports = guarded_ports()

    first = submit(ports, key="retry-123")
    second = submit(ports, key="retry-123")
    deliver(ports)

    assert second == first
    assert len(ports.reports.records) == 1
    assert len(ports.notifier.sent) == 1


def test_key_is_scoped_to_its_source() -> None:
    ports = guarded_ports()

    mine = submit(ports, client=address(0), key="k")
    theirs = submit(ports, client=address(1), key="k")

    assert mine.report_id != theirs.report_id


@pytest.mark.parametrize("without", ["address", "secret"])
def test_without_an_address_or_a_secret_the_key_has_no_client_scope(without: str) -> None:
    ports = guarded_ports()
    if without == "secret":
        ports = dataclasses.replace(ports, secret=None)
    client = None if without == "address" else address(0)

    first = submit(ports, client=client, key="k")
    again = submit(ports, client=client, key="k")

    assert again == first and len(ports.reports.records) == 1
    assert set(ports.idempotency.records) == {scoped_key("k", None)}


def test_stored_answer_is_sealed_not_plain() -> None:
    ports = guarded_ports()

    accepted = submit(ports, key="k")

    [record] = ports.idempotency.records.values()
    assert accepted.receipt.encode() not in record["response"]


def test_a_failed_first_attempt_releases_the_key_for_the_retry() -> None:
    ports = guarded_ports()
    ports.blobs.fail = True
    with pytest.raises(Unavailable):
        submit(ports, key="k")

    ports.blobs.fail = False
    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records


def test_replays_do_not_use_up_the_rate_limit() -> None:
    ports = guarded_ports()
    for _ in range(10):
        submit(ports, key="same")

    assert len(ports.reports.records) == 1
    submit(ports)  # still within the 5 per hour


def test_a_bad_key_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(guarded_ports(), key="x" * 129)

    assert caught.value.fields[0].field == "Idempotency-Key"


def test_a_reused_key_with_other_content_is_refused_not_replayed() -> None:
    ports = guarded_ports()
    submit(ports, key="shared-script-key")
    other = {**MINIMAL_REPORT, "title": "A different report entirely"}

    with pytest.raises(ValidationFailed) as caught:
        submit(ports, key="shared-script-key", report=other)

    assert caught.value.fields[0].field == "Idempotency-Key"
    assert len(ports.reports.records) == 1


def test_a_retry_across_midnight_is_still_a_retry() -> None:
    before = guarded_ports(datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    after = dataclasses.replace(before, clock=lambda: datetime(2026, 11, 21, 0, 1, tzinfo=UTC))

    first = submit(before, key="k")
    second = submit(after, key="k")  # the daily source pseudonym changed; the client did not

    assert second == first and len(before.reports.records) == 1


def test_a_claim_whose_holder_died_is_taken_over_after_its_lease() -> None:
    ports = guarded_ports()
    key = scoped_key("k", client_key(SECRET, address(0)))
    dead = NOON - timedelta(minutes=5)
    ports.idempotency.begin(
        key, fingerprint(MINIMAL_REPORT), dead, dead + timedelta(seconds=30), NOON
    )

    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records


def test_the_answer_is_given_even_if_it_cannot_be_kept_for_replays() -> None:
    ports = guarded_ports()

    def refuse(*_: object) -> None:
        raise Unavailable("dynamodb")

    ports.idempotency.complete = refuse  # the report is stored; only the replay copy fails

    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records


def test_a_retried_honeypot_gets_its_first_answer_again() -> None:
    ports = guarded_ports()
    bot = {**MINIMAL_REPORT, "website": "http://spam.example"}

    first = submit(ports, key="bot-1", report=bot)
    again = submit(ports, key="bot-1", report=bot)
    deliver(ports)

    assert again == first
    assert ports.reports.records == {} and ports.notifier.sent == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_idempotency_key_is_scoped_or_refused(header: str) -> None:
    try:
        assert len(scoped_key(header, "client")) == 64
    except ValidationFailed:
        pass


# --- Through the Chalice app ------------------------------------------------------------


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
