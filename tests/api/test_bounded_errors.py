"""A small request never buys a huge answer: the 422 stays bounded whatever is sent.

Each unknown key or bad list item is a validation error of its own; without bounds a
1 MB body of them produced a 7 MB answer, and a 6 MB list took gigabytes to refuse.
"""

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.domain.report.models import TOO_MANY_KEYS
from tests.api.helpers import error_of, post_report, stored_objects
from tests.builders import API_REPORT

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SMALL_ANSWER = 4_000  # bytes: a full 422 for a real form is far below this


def many_keys(count: int) -> dict[str, Any]:
    return {f"k{i}": 0 for i in range(count)}


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({**API_REPORT, **many_keys(100_000)}, None, "(body)"),
        ({**API_REPORT, "reporter": many_keys(100_000)}, None, "(body)"),
        ({**API_REPORT, "attachments": [1] * 1_000_000}, None, "attachments"),
        ({**API_REPORT, "attachments": [{"filename": "a"}] * 200_000}, None, "attachments"),
        (urlencode({**many_keys(100_000), "title": "x"}), FORM, "(body)"),
    ],
    ids=["top-level keys", "nested keys", "list of numbers", "list of objects", "form fields"],
)
def test_a_body_full_of_problems_gets_one_short_422(api, body, headers, field: str) -> None:
    answer = post_report(api, body if isinstance(body, str) else json.dumps(body), headers)

    assert answer.status_code == 422
    assert len(answer.body) < SMALL_ANSWER
    assert field in [problem["field"] for problem in error_of(answer)["fields"]]
    assert stored_objects() == []


def test_the_keys_limit_names_itself(api) -> None:
    answer = post_report(api, {**API_REPORT, **many_keys(100)})

    assert error_of(answer)["fields"] == [{"field": "(body)", "message": TOO_MANY_KEYS}]


def test_past_twenty_problems_the_rest_are_counted_not_listed(api) -> None:
    # Five bad files (the most allowed), five problems each, and a bad title: 26 problems.
    bad_files = [{"filename": "", "data": "!", "a": 1, "b": 2, "c": 3} for _ in range(5)]

    answer = post_report(api, {**API_REPORT, "title": 1, "attachments": bad_files})

    fields = error_of(answer)["fields"]
    assert len(fields) == 21 and fields[0]["field"] == "title"
    assert fields[-1] == {"field": "(body)", "message": "6 more problems are not listed."}
