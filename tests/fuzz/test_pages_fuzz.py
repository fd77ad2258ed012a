"""The pages a reporter opens, with hostile query strings: the form, the status look-up
and the acknowledgments in any `?lang=` and Accept-Language, and the unsubscribe link
with made-up, altered or real report ids and tokens, opened (GET) or clicked (POST,
urlencoded or multipart). Never a 5xx; pages in the language asked for; nothing sent
shows unescaped; only the report's own token stops its mail."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import boto
from tests.fuzz.api import FuzzApi
from tests.fuzz.conftest import FUZZ
from tests.fuzz.contract import assert_error_shape
from tests.fuzz.pages import ENCODINGS, LANGUAGES, form_body, injected, languages, markup
from tests.fuzz.pages import page_language as language_of
from tests.fuzz.stored import StoredReports, same_report
from tests.fuzz.strategies import text

accept_languages = st.none() | st.sampled_from(["de", "de-DE,de;q=0.9", "fr, en;q=0.5", "*", ""])
LINK_LIMIT = 64  # a report id's or token's length in the link, at most


@FUZZ
@given(
    page=st.sampled_from(["/form", "/status", "/acknowledgments"]),
    lang=st.none() | languages,
    accept=accept_languages | text,
)
def test_pages_in_the_language_asked_for(
    fuzz_api: FuzzApi, page: str, lang: str | None, accept: str | None
) -> None:
    query = f"?{urlencode({'lang': lang})}" if lang is not None else ""
    headers = {"Accept-Language": accept} if accept is not None else {}

    answer, changed = fuzz_api.get(page + query, headers)

    assert answer.status_code == 200, answer.body[:300]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert not changed, "a page stored or sent something"
    assert not injected(answer.body.decode())
    spoken = language_of(answer.body.decode())
    if lang in LANGUAGES:
        assert spoken == lang  # the switch's choice wins over the browser's
    elif not accept:
        assert spoken == LANGUAGES[0]  # the policy's first language
    else:
        assert spoken in LANGUAGES


def links(report_id: str, token: str) -> st.SearchStrategy[dict[str, str]]:
    """A link's query: the real one, or an altered, made-up or incomplete one."""
    reports = st.sampled_from([report_id, report_id.lower(), "VDP-0000-0000", "", "V" * 65])
    tokens = st.sampled_from([token, f"{token}x", token[:-1], token.swapcase(), "", "t" * 65])
    return st.just({"report": report_id, "token": token}) | st.fixed_dictionaries(
        {}, optional={"report": reports | text | markup, "token": tokens | text | markup,
                      "lang": languages},
    )  # fmt: skip


@FUZZ
@given(data=st.data())
def test_unsubscribe_links(
    fuzz_api: FuzzApi, stored_reports: StoredReports, data: st.DataObject
) -> None:
    report_id, _receipt = stored_reports.next()
    query = data.draw(links(report_id, _token(report_id)), label="query")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    encoding = data.draw(st.sampled_from([*ENCODINGS, "text/plain"]), label="encoding")
    body, headers = _click(encoding, data.draw(_clicks())) if method == "POST" else (b"", {})

    answer, changed = fuzz_api.send(
        method, f"/unsubscribe?{urlencode(query)}", headers, body, "/unsubscribe"
    )

    expected = _expected_status(method, encoding, query, report_id)
    assert answer.status_code == expected, answer.body[:300]
    clicked = method == "POST" and expected == 200
    assert not changed or clicked, "a refused or opened link changed something"
    assert not clicked or _opted_out(report_id)  # one click stops the report's mail
    if expected == 200:
        assert not injected(answer.body.decode())
        asked = query.get("lang")
        assert language_of(answer.body.decode()) == (asked if asked in LANGUAGES else "en")
    else:
        assert_error_shape(answer)


def _expected_status(method: str, encoding: str, query: dict[str, str], report_id: str) -> int:
    """Opening a link in shape shows the button (a GET changes nothing); a click needs a
    form body and the report's own token; anything else is the same 404."""
    sent = query.get("report", ""), query.get("token", "")
    if method == "GET":
        return 200 if all(0 < len(value) <= LINK_LIMIT for value in sent) else 404
    if encoding not in ENCODINGS:
        return 415
    return 200 if same_report(sent[0], report_id) and sent[1] == _token(report_id) else 404


def _clicks() -> st.SearchStrategy[dict[str, str]]:
    """A mail client's one click (RFC 8058), or the page's button, or other fields."""
    one_click = st.just({"List-Unsubscribe": "One-Click"})
    return one_click | st.dictionaries(text | markup, text | markup, max_size=3)


def _click(encoding: str, fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    if encoding in ENCODINGS:
        body, content_type = form_body(encoding, fields)
        return body, {"Content-Type": content_type}
    return urlencode(fields).encode(), {"Content-Type": encoding}  # not a form: refused


def _token(report_id: str) -> str:
    from chalicelib import bootstrap
    from chalicelib.domain.unsubscribe import unsubscribe_token

    return unsubscribe_token(bootstrap.ports().secret(), report_id)


def _opted_out(report_id: str) -> bool:
    key = {"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}}
    item = boto("dynamodb").get_item(TableName="vdp-local", Key=key)["Item"]
    return item.get("mail_opt_out", {}).get("BOOL") is True
