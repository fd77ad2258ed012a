"""A reporter's side of a stored report under hostile input: follow-up bodies and
receipts, and status lookups. Never a 5xx, errors in the contract's shape, nothing
submitted echoed, and something stored only when the answer is a 201."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, FuzzApi, tried
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.strategies import CANARY, VALID, json_values, text, tricky_text

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def stored_report(fuzz_api: FuzzApi) -> tuple[str, str]:
    answer, _ = fuzz_api.post("/reports", json.dumps(VALID).encode(), JSON)
    accepted = json.loads(answer.body)
    return accepted["report_id"], accepted["receipt"]


messages = st.one_of(
    st.fixed_dictionaries({"message": text | tricky_text | json_values}).map(
        lambda body: {**body, "message": f"{CANARY} {body['message']}"}
        if isinstance(body["message"], str) else body
    ),
    st.dictionaries(text, json_values, max_size=3).map(lambda extra: {"message": CANARY, **extra}),
    json_values,
)  # fmt: skip


def authorizations(receipt: str) -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [f"Bearer {receipt}", f"bearer {receipt}", f"Bearer {receipt}x", f"Basic {receipt}",
         "Bearer ", "Bearer", "", None, f"Bearer {receipt[:-1]}"]
    ) | text.map(lambda value: f"Bearer {value}")  # fmt: skip


@FUZZ
@given(data=st.data())
def test_follow_ups_and_receipts(
    fuzz_api: FuzzApi, stored_report: tuple[str, str], data: st.DataObject
) -> None:
    report_id, receipt = stored_report
    if data.draw(st.booleans(), label="the reporter's own id and receipt"):
        target, authorization = report_id, f"Bearer {receipt}"
    else:
        target = data.draw(st.sampled_from([report_id, report_id.lower(), "VDP-0000-0000"]) | text)
        authorization = data.draw(authorizations(receipt))
    body = json.dumps(data.draw(messages)).encode()
    headers = {**JSON, **({"Authorization": authorization} if authorization is not None else {})}

    answer, changed = fuzz_api.post(f"/reports/{_path(target)}/messages", body, headers)

    tried("POST /reports/{id}/messages", answer.status_code)
    assert answer.status_code < 500, answer.body[:500]
    assert CANARY.encode() not in answer.body  # the message is never echoed
    if answer.status_code == 201:
        assert changed
        assert set(json.loads(answer.body)) == {"report_id", "message_id", "at"}
    else:
        assert not changed, "something was stored for a refused follow-up"
        assert_error_shape(answer)
    status = fuzz_api.http.get(f"/reports/{_path(target)}", headers=headers)
    tried("GET /reports/{id}", status.status_code)
    _assert_lookup(status)


def _path(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="") or "x"


def _assert_lookup(answer: Any) -> None:
    """Only the receipt opens a report: anything else is the same 404."""
    assert answer.status_code in (200, 404), answer.body[:300]
    if answer.status_code == 404:
        assert_error_shape(answer)
