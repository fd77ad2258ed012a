"""The no-JavaScript report form with hostile values, urlencoded and multipart (with
files): every page it answers with escapes what was sent, never a 5xx, and nothing is
stored unless the page says it was."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.api import FuzzApi
from tests.fuzz.conftest import FUZZ
from tests.fuzz.pages import ENCODINGS, File, form_body, injected, languages, markup
from tests.fuzz.strategies import text, tricky_text

FORM = {
    "title": "Path traversal in the export",
    "description": "GET /export?file=../../etc/passwd returns the server's passwd file.",
    "product": "example-app",
    "version": "2.0.1",
    "severity": "high",
    "reporter.name": "Ada",
    "reporter.email": "ada@example.org",
    "credit.wants_credit": "true",
    "credit.name": "Ada L.",
    "policy_accepted": "true",
}
NAMES = [*FORM, "steps_to_reproduce", "impact", "cvss_vector", "reporter.pgp_key", "lang",
         "idempotency_key", "form_token", "reporter.email_updates", "bounty_interest"]  # fmt: skip
files = st.lists(
    st.tuples(
        markup | text | tricky_text,
        st.sampled_from(["text/plain", "image/png", "application/octet-stream", "text/html"]),
        st.binary(max_size=256),
    ),
    max_size=3,
)


@FUZZ
@pytest.mark.parametrize("encoding", ENCODINGS)
@given(
    changes=st.dictionaries(st.sampled_from(NAMES) | markup, markup | text | languages, max_size=4),
    dropped=st.sets(st.sampled_from(list(FORM)), max_size=2),
    attached=files,
)
def test_form_pages_escape_every_value(
    fuzz_api: FuzzApi,
    accepted_keys: set[str],
    encoding: str,
    changes: dict[str, str],
    dropped: set[str],
    attached: list[File],
) -> None:
    fields = {name: value for name, value in FORM.items() if name not in dropped}
    fields.update(changes)
    body, content_type = form_body(encoding, fields, attached if encoding == "multipart" else [])
    headers = {"Content-Type": content_type, "Accept": "text/html"}

    answer, changed = fuzz_api.post("/reports", body, headers)

    key = fields.get("idempotency_key", "")  # the page's own, as sent (never trimmed)
    resent = key in accepted_keys
    if answer.status_code == 201 and key:
        accepted_keys.add(key)
    assert answer.status_code < 500
    assert answer.headers["Content-Type"].startswith("text/html")  # a page, whatever happened
    found = injected(answer.body.decode())
    assert not found, found
    if answer.status_code == 201 and resent:
        assert not changed  # a resent form: the first one's receipt again, nothing new stored
    else:
        assert changed == (answer.status_code == 201)


@pytest.fixture
def accepted_keys() -> set[str]:
    """The form pages' Idempotency-Keys of the reports stored so far."""
    return set()
