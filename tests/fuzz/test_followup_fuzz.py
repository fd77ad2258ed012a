"""A reporter's side of a stored report under hostile input: follow-up bodies, ids and
receipts, and status lookups. Only the report's own id and receipt open it; never a 5xx;
errors in the contract's shape; nothing submitted echoed; a write only for a 201."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, FuzzApi, tried
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.strategies import CANARY, VALID, json_values, text, tricky_text

JSON = {"Content-Type": "application/json"}
EXAMPLES_PER_REPORT = 20
messages = st.one_of(
    (text | tricky_text).map(lambda value: {"message": f"{CANARY} {value}"}),  # valid
    st.sampled_from([  # invalid, each carrying the canary
        {"message": [CANARY]}, {"message": {"text": CANARY}}, {"message": CANARY * 1200},
        {"message": CANARY, "text": CANARY}, {"msg": CANARY}, [CANARY], CANARY,
    ]),
    st.dictionaries(text, json_values, max_size=3).map(lambda extra: {**extra, "message": CANARY}),
    json_values,
)  # fmt: skip


def authorizations(receipt: str) -> st.SearchStrategy[str | None]:
    return st.sampled_from(
        [f"bearer {receipt}", f"Bearer  {receipt} ", f"Bearer {receipt}x", f"Basic {receipt}",
         f"Bearer {receipt[:-1]}", f"Bearer {receipt.upper()}", "Bearer ", "Bearer", "", None]
    ) | text.map(lambda value: f"Bearer {value}")  # fmt: skip


@dataclass
class StoredReports:
    """A stored report to follow up on, a new one every few examples: each history stays
    short, and so does the table, which moto scans whole for every query."""

    api: FuzzApi
    used: int = 0
    current: tuple[str, str] = ("", "")

    def next(self) -> tuple[str, str]:
        if self.used % EXAMPLES_PER_REPORT == 0:
            created, _ = self.api.post("/reports", json.dumps(VALID).encode(), JSON)
            accepted = json.loads(created.body)
            self.current = accepted["report_id"], accepted["receipt"]
        self.used += 1
        return self.current


@pytest.fixture
def stored_reports(fuzz_api: FuzzApi) -> StoredReports:
    return StoredReports(fuzz_api)


@FUZZ
@given(data=st.data())
def test_follow_ups_and_receipts(
    fuzz_api: FuzzApi, stored_reports: StoredReports, data: st.DataObject
) -> None:
    report_id, receipt = stored_reports.next()
    if data.draw(st.booleans(), label="the reporter's own id and receipt"):
        target, authorization = report_id, f"Bearer {receipt}"
    else:
        target = data.draw(st.sampled_from([report_id, report_id.lower(), "VDP-0000-0000"]) | text)
        authorization = data.draw(authorizations(receipt))
    headers = {**JSON, **({"Authorization": authorization} if authorization is not None else {})}
    # Ids are not case-sensitive (they are read aloud and retyped), in ASCII only.
    same_report = target.isascii() and target.upper() == report_id
    opens = same_report and _bearer(authorization) == receipt
    body = json.dumps(data.draw(messages)).encode()

    answer, changed = fuzz_api.post(f"/reports/{_path(target)}/messages", body, headers)

    tried("POST /reports/{id}/messages", answer.status_code)
    assert answer.status_code < 500, answer.body[:500]
    assert CANARY.encode() not in answer.body  # the message is never echoed
    if answer.status_code == 201:
        assert opens and changed
        assert set(json.loads(answer.body)) == {"report_id", "message_id", "at"}
    else:
        assert not changed, "something was stored or sent for a refused follow-up"
        assert_error_shape(answer)
        if not opens and answer.status_code != 404:
            # Refused before the receipt is looked at (not JSON, not an object): the same
            # answer as for the reporter's own receipt, so it tells nothing about receipts.
            own = {**JSON, "Authorization": f"Bearer {receipt}"}
            again, _ = fuzz_api.post(f"/reports/{report_id}/messages", body, own)
            assert (again.status_code, again.body) == (answer.status_code, answer.body)

    status, changed = fuzz_api.get(f"/reports/{_path(target)}", headers)

    tried("GET /reports/{id}", status.status_code)
    assert status.status_code == (200 if opens else 404), status.body[:300]
    assert not changed, "a status lookup stored or sent something"
    assert CANARY.encode() not in status.body  # follow-ups are listed, never shown
    if not opens:
        assert_error_shape(status)


def _bearer(authorization: str | None) -> str:
    """The token, as RFC 6750 reads the header (scheme case-insensitive)."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _path(value: str) -> str:
    return quote(value, safe="") or "x"
