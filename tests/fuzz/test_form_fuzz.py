"""The no-JavaScript form path with hostile values: every page it answers with escapes
what was sent, never a 5xx, and nothing is stored unless the page says it was."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ, FuzzApi, tried
from tests.fuzz.strategies import text

# What an unescaped value would add to the page: an element, or an attribute once a
# quote closes the attribute the value was put in.
TAG, ATTRIBUTE = "zq-markup", "zq-attr"
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
NAMES = [*FORM, "steps_to_reproduce", "impact", "cvss_vector", "reporter.pgp_key"]
markup = st.builds(
    lambda before, quote, after: (
        f"{before}{quote} {ATTRIBUTE}=1 x={quote}><{TAG} {ATTRIBUTE}=1>{after}"
    ),
    text,
    st.sampled_from(["", '"', "'"]),
    text,
)


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from(NAMES) | markup, markup | text, max_size=4),
    dropped=st.sets(st.sampled_from(list(FORM)), max_size=2),
)
def test_form_pages_escape_every_value(
    fuzz_api: FuzzApi, changes: dict[str, str], dropped: set[str]
) -> None:
    fields = {name: value for name, value in FORM.items() if name not in dropped}
    fields.update(changes)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}

    answer, changed = fuzz_api.post("/reports", urlencode(fields).encode(), headers)

    tried("POST /reports (form pages)", answer.status_code)
    assert answer.status_code < 500
    injected = _injected(answer.body.decode())
    assert not injected, injected
    assert changed == (answer.status_code == 201)


def _injected(page: str) -> list[str]:
    """Elements and attributes of the page that came from the submitted markup."""
    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == TAG:
                found.append(f"<{tag}>")
            found.extend(f"{tag}[{name}]" for name, _ in attrs if name == ATTRIBUTE)

    parser = Parser()
    parser.feed(page)
    parser.close()
    return found
