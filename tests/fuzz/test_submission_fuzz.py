"""Hostile submissions through the app on healthy (moto) storage: never a 5xx, errors
always in the contract's shape, and nothing stored unless the answer is a real 201."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.api import FuzzApi
from tests.fuzz.conftest import FUZZ
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.strategies import CANARY, content_types, json_bodies, raw_bodies, submissions


@FUZZ
@given(body=json_bodies(canary=CANARY))
def test_json_submissions(fuzz_api: FuzzApi, body: bytes) -> None:
    answer, changed = fuzz_api.post("/reports", body, {"Content-Type": "application/json"})
    _check(answer, changed, body)


@FUZZ
@given(fields=submissions(), accept=st.sampled_from(["application/json", "*/*", None]))
def test_submission_fields(fuzz_api: FuzzApi, fields: dict[str, Any], accept: str | None) -> None:
    body = json.dumps({**fields, "impact": CANARY}).encode()
    headers = {"Content-Type": "application/json", **({"Accept": accept} if accept else {})}
    answer, changed = fuzz_api.post("/reports", body, headers)
    _check(answer, changed, body)


@FUZZ
@given(content_type=content_types, body=raw_bodies(), accept=st.sampled_from(["", "text/html"]))
def test_content_types_and_bodies(
    fuzz_api: FuzzApi, content_type: str, body: bytes, accept: str
) -> None:
    headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
    answer, changed = fuzz_api.post("/reports", body, headers)
    if answer.headers.get("Content-Type", "").startswith("text/html"):
        # The no-JavaScript form path answers with pages, never 5xx, stores only on 201.
        assert answer.status_code < 500
        assert answer.status_code == 201 or not changed
        return
    _check(answer, changed, body)


def _check(answer: Any, changed: bool, sent: bytes) -> None:
    assert answer.status_code < 500, answer.body[:500]
    assert CANARY.encode() not in answer.body  # nothing submitted is echoed
    if answer.status_code == 201:
        accepted = json.loads(answer.body)
        assert accepted["status"] == "received"
        if not changed:  # only the honeypot answers 201 without storing
            assert b"website" in sent
        return
    assert not changed, "something was stored for a refused submission"
    assert_error_shape(answer)
