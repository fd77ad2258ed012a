"""A reporter's side of a stored report under hostile input: follow-up bodies, ids and
receipts, and status lookups. Only the report's own id and receipt open it; never a 5xx;
errors in the contract's shape; nothing submitted echoed, except a reporter's own
follow-ups in their own status; a write only for a 201."""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.api import FuzzApi
from tests.fuzz.conftest import FUZZ
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.stored import StoredReports, same_report
from tests.fuzz.strategies import CANARY, json_values, text, tricky_text

JSON = {"Content-Type": "application/json"}
MESSAGES, STATUS = "/reports/{report_id}/messages", "/reports/{report_id}"
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
    opens = same_report(target, report_id) and _bearer(authorization) == receipt
    message = data.draw(messages)
    if isinstance(message, dict) and isinstance(message.get("message"), str):
        message["message"] += f" #{stored_reports.used}"  # to find this one in the history

    body = json.dumps(message).encode()
    sent = _follow_up(fuzz_api, target, body, headers, opens, (report_id, receipt))

    status, changed = fuzz_api.get(f"/reports/{_path(target)}", headers, STATUS)
    assert status.status_code == (200 if opens else 404), status.body[:300]
    assert not changed, "a status lookup stored or sent something"
    if not opens:
        assert CANARY.encode() not in status.body
        assert_error_shape(status)
    elif sent:  # the reporter's own follow-up, shown to the receipt's holder
        history = json.loads(status.body)["history"]
        assert [e["message"] for e in history if e["type"] == "message"][-1] == message["message"]


def _follow_up(
    api: FuzzApi,
    target: str,
    body: bytes,
    headers: dict[str, str],
    opens: bool,
    own: tuple[str, str],
) -> bool:
    """Post the follow-up; whether it was accepted. Only the receipt's holder gets a 201."""
    answer, changed = api.post(f"/reports/{_path(target)}/messages", body, headers, MESSAGES)
    assert answer.status_code < 500, answer.body[:500]
    assert CANARY.encode() not in answer.body  # the message is never echoed
    if answer.status_code == 201:
        assert opens and changed
        assert set(json.loads(answer.body)) == {"report_id", "message_id", "at"}
        return True
    assert not changed, "something was stored or sent for a refused follow-up"
    assert_error_shape(answer)
    if not opens and answer.status_code != 404:
        # Refused before the receipt is looked at (not JSON, not an object): the same
        # answer as for the reporter's own receipt, so it tells nothing about receipts.
        report_id, receipt = own
        headers = {**JSON, "Authorization": f"Bearer {receipt}"}
        again, _ = api.post(f"/reports/{report_id}/messages", body, headers, MESSAGES)
        assert (again.status_code, again.body) == (answer.status_code, answer.body)
    return False


def _bearer(authorization: str | None) -> str:
    """The token, as RFC 6750 reads the header (scheme case-insensitive)."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _path(value: str) -> str:
    return quote(value, safe="") or "x"
