"""The status page's form (POST /status, the page without JavaScript) with hostile report
ids, receipts, follow-ups and languages, urlencoded and multipart, sometimes the report's
own id and receipt. Never a 5xx: a page (200, 201, 404, 422 or 429) in the language asked
for, or a body over the size limit refused (413) like on every route; only the report's
own id and receipt open it; a receipt never echoed on any other page; what was sent
escaped; a follow-up stored only with a 201, and shown once stored."""

from __future__ import annotations

from html import escape

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.api import FuzzApi
from tests.fuzz.conftest import FUZZ
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.pages import ENCODINGS, LANGUAGES, form_body, injected, languages, markup
from tests.fuzz.pages import page_language as language_of
from tests.fuzz.stored import StoredReports, same_report
from tests.fuzz.strategies import huge, text, tricky_text

RECEIPT_MARK = "zq-receipt-51c0"  # in every made-up receipt: no page may show it
PAGES = (200, 201, 404, 422, 429)
MESSAGE_LIMIT = 20_000
MAX_BODY_BYTES = 6 * 2**20  # the policy's max_body_bytes
follow_ups = st.none() | st.sampled_from(["", "   ", "\n"]) | markup | text | tricky_text | huge


def ids(report_id: str) -> st.SearchStrategy[str]:
    variants = [report_id, report_id.lower(), f" {report_id}\n", "VDP-0000-0000", ""]
    return st.sampled_from(variants) | text | markup


def receipts(receipt: str) -> st.SearchStrategy[str]:
    variants = [receipt, f" {receipt} ", f"{receipt}x", receipt[:-1], receipt.upper(), ""]
    return st.sampled_from(variants) | (text | markup).map(lambda v: f"{RECEIPT_MARK}{v}")


@FUZZ
@given(data=st.data())
def test_status_form(fuzz_api: FuzzApi, stored_reports: StoredReports, data: st.DataObject) -> None:
    report_id, receipt = stored_reports.next()
    fields = _fields(data, report_id, receipt)
    body, content_type = form_body(data.draw(st.sampled_from(ENCODINGS)), fields)

    answer, changed = fuzz_api.post("/status", body, {"Content-Type": content_type})

    if len(body) > MAX_BODY_BYTES:  # refused before it is read, as every route refuses
        assert (answer.status_code, changed) == (413, False)
        assert_error_shape(answer)
        return
    page = answer.body.decode()
    assert answer.status_code in PAGES, page[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert not injected(page)
    assert changed == (answer.status_code == 201)
    asked = fields.get("lang")
    assert language_of(page) == (asked if asked in LANGUAGES else LANGUAGES[0])
    opens = same_report(fields["report_id"], report_id) and fields["receipt"].strip() == receipt
    if opens:
        _check_own_page(answer.status_code, page, fields.get("message"))
    else:
        assert answer.status_code == 404, page[:300]
        for secret in (receipt, receipt[:-1], receipt.upper(), RECEIPT_MARK):
            assert secret not in page


def _fields(data: st.DataObject, report_id: str, receipt: str) -> dict[str, str]:
    """The form's fields: some other ones, the id and receipt, a follow-up, a language."""
    fields = data.draw(st.dictionaries(text | markup, text, max_size=2), label="other fields")
    own = data.draw(st.booleans(), label="the reporter's own id and receipt")
    fields["report_id"] = report_id if own else data.draw(ids(report_id), label="report_id")
    fields["receipt"] = receipt if own else data.draw(receipts(receipt), label="receipt")
    message, lang = data.draw(follow_ups, label="message"), data.draw(st.none() | languages)
    fields.update({"message": message} if message is not None else {})
    fields.update({"lang": lang} if lang is not None else {})
    return fields


def _check_own_page(status: int, page: str, message: str | None) -> None:
    """The report's own page: its status, and the follow-up sent with it, if any."""
    if message is None:
        assert status == 200
        return
    if message.strip() and len(message) <= MESSAGE_LIMIT:
        assert status == 201, page[:300]
    elif not message or len(message.strip()) > MESSAGE_LIMIT:
        assert status == 422, page[:300]
    # (Otherwise text only some Unicode tables call blank: either answer is right.)
    if status == 201 and message == message.strip():
        assert escape(message) in page  # the reporter sees their follow-up
    if status == 422:
        assert escape(message) in page  # the refused draft stays in the box
