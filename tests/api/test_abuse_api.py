"""429 with Retry-After, and Idempotency-Key, through the Chalice app."""

import json

from tests.api.helpers import JSON, error_of, post_report, stored_items, stored_objects


def report_items() -> list:
    return [i for i in stored_items() if i["SK"]["S"] == "META"]


def test_rate_limit_answers_429_with_retry_after_and_keeps_nothing(api) -> None:
    for _ in range(5):
        assert post_report(api).status_code == 201
    objects_before = stored_objects()

    refused = post_report(api)

    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3601
    assert stored_objects() == objects_before and len(report_items()) == 5


def test_counters_hold_no_client_address(api) -> None:
    post_report(api)

    assert "127.0.0.1" not in json.dumps(stored_items())


def test_retry_with_the_same_key_returns_the_original_answer(api) -> None:
    headers = {**JSON, "Idempotency-Key": "form-load-8f2c"}

    first = post_report(api, headers=headers)
    second = post_report(api, headers=headers)

    assert first.status_code == second.status_code == 201
    assert json.loads(second.body) == json.loads(first.body)
    assert len(report_items()) == 1
    assert json.loads(first.body)["receipt"] not in json.dumps(stored_items(), default=repr)
