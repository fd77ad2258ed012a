"""What the page suites share: markup that would show if a value went unescaped, a page's
language, and form bodies as a browser encodes them (urlencoded or multipart)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

from hypothesis import strategies as st

from tests.fuzz.strategies import text

# What an unescaped value would add to the page: an element, or an attribute once a
# quote closes the attribute the value was put in.
TAG, ATTRIBUTE = "zq-markup", "zq-attr"
markup = st.builds(
    lambda before, quote, after: (
        f"{before}{quote} {ATTRIBUTE}=1 x={quote}><{TAG} {ATTRIBUTE}=1>{after}"
    ),
    text,
    st.sampled_from(["", '"', "'"]),
    text,
)
LANGUAGES = ("en", "de")  # the example policy's, the first its default
languages = st.sampled_from([*LANGUAGES, "EN", "de-DE", "fr", "", " de"]) | markup | text
BOUNDARY = "zq-boundary-4b1d"
ENCODINGS = ("urlencoded", "multipart")
File = tuple[str, str, bytes]  # filename, content type, bytes


def injected(page: str) -> list[str]:
    """Elements and attributes of the page that came from submitted markup."""
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


def page_language(page: str) -> str:
    found = re.search(r'<html lang="([^"]*)">', page)
    assert found, page[:300]
    return found.group(1)


def form_body(
    encoding: str, fields: dict[str, str], files: list[File] | None = None
) -> tuple[bytes, str]:
    """The body and its Content-Type, as a browser sends a form (files: multipart only)."""
    if encoding == "urlencoded":
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    parts = [_part(f'name="{_quoted(name)}"', "", value.encode()) for name, value in fields.items()]
    for filename, content_type, data in files or []:
        disposition = f'name="attachments"; filename="{_quoted(filename)}"'
        parts.append(_part(disposition, f"Content-Type: {content_type}\r\n", data))
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def _part(disposition: str, headers: str, data: bytes) -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n{headers}\r\n"
    return head.encode() + data + b"\r\n"


def _quoted(value: str) -> str:
    """A name in a part's header as browsers write it (HTML's multipart encoding)."""
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
