"""Rate limits through the Chalice app: 429 with Retry-After, no address kept."""

import json

from tests.api.helpers import error_of, post_report, report_items, stored_items, stored_objects


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
