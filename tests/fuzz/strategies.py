"""Hypothesis strategies for what a hostile or broken client sends to POST /reports.

Near-valid submissions (a valid report with fields removed or replaced) reach the deep
validators; raw JSON text adds what `json.dumps` cannot produce (duplicate keys, nesting
deeper than any recursion limit, non-standard constants); random content types and bytes
cover the parsers in front.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

VALID: dict[str, Any] = {
    "title": "Stored XSS in the comment preview",
    "description": "The preview renders <script> from comments without escaping it at all.",
    "product": "example-app",
    "version": "2.0.1",
    "severity": "high",
    "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "policy_accepted": True,
    "bounty_interest": False,
    "reporter": {"name": "Ada", "email": "ada@example.org"},
    "credit": {"wants_credit": True, "name": "Ada L."},
    "attachments": [
        {"filename": "poc.html", "content_type": "text/html", "data": "PHNjcmlwdD4="},
    ],
}
FIELDS = [*VALID, "steps_to_reproduce", "impact", "website"]
NESTED = {"reporter": ["name", "email", "pgp_key"], "credit": ["wants_credit", "name"]}
DEEP = "__deep_nesting__"  # replaced by raw nested JSON text after encoding
CANARY = "zq-canary-7f3e9c1d"  # a submitted value no answer may echo

# utf-8 codec: every code point except surrogates (which JSON text cannot carry unpaired).
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
tricky_text = st.lists(
    st.sampled_from(["\x00", "a", " ", "é", "\u202e", "\ufeff", "😀", "\n", "\\", '"', "<"]),
    max_size=30,
).map("".join)
# Lengths at and beyond the contract's limits (5/200, 20/50,000, 64, 20,000; 6 MB body).
huge = st.builds(
    lambda size, char: char * size,
    st.sampled_from([0, 4, 5, 19, 20, 64, 65, 200, 201, 20_001, 50_001, 700_000]),
    st.sampled_from(["A", "\x00", "é", "😀"]),
)
numbers = st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=False)
scalars = st.none() | st.booleans() | numbers | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
base64_data = st.binary(max_size=64).map(lambda raw: base64.b64encode(raw).decode())
attachments = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "filename": text | tricky_text,
            "content_type": text | st.sampled_from(["text/plain", "image/png"]),
            "data": base64_data | text,
        },
    ),
    max_size=7,
)
field_values = (
    json_values | tricky_text | huge | attachments | base64_data | st.just(DEEP) | json_values
)


@st.composite
def submissions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid report with some fields dropped and some replaced by hostile values."""
    fields = json.loads(json.dumps(VALID))
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=3)):
        fields.pop(name, None)
    for name, value in draw(st.dictionaries(st.sampled_from(FIELDS) | text, field_values,
                                            max_size=3)).items():  # fmt: skip
        fields[name] = value
    for parent, children in NESTED.items():
        if isinstance(fields.get(parent), dict) and draw(st.booleans()):
            fields[parent][draw(st.sampled_from(children))] = draw(field_values)
    return fields


@st.composite
def json_bodies(draw: st.DrawFn, canary: str | None = None) -> bytes:
    """JSON text of a submission; one in three with a duplicate key, junk or a bare value."""
    fields = draw(submissions())
    if canary:
        fields[draw(st.sampled_from(["title", "description", "impact", "x"]))] = canary
    body = json.dumps(fields, ensure_ascii=draw(st.booleans()))
    depth = draw(st.sampled_from([1, 50, 999, 1_001, 5_000, 100_000]))
    body = body.replace(json.dumps(DEEP), "[" * depth + "]" * depth)
    flaw = draw(st.sampled_from([None] * 6 + ["duplicate", "junk", "value"]))
    if flaw == "duplicate" and body != "{}":
        duplicate = draw(st.sampled_from(FIELDS))
        body = "{" + json.dumps(duplicate) + ": " + json.dumps(draw(scalars)) + ", " + body[1:]
    elif flaw == "junk":
        body += draw(st.sampled_from([" ", "\n", "x", "}", "NaN", "\x00"]))
    elif flaw == "value":
        body = draw(st.sampled_from(["NaN", "Infinity", "[]", "null", '"x"', "1e999", "{", ""]))
    return body.encode("utf-8")


content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=fuzz",
        "multipart/form-data; boundary=",
        "application/json; boundary=x",
        "",
        "*/*",
    ]
) | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def raw_bodies(draw: st.DrawFn) -> bytes:
    """Random bytes, or form-shaped bodies (urlencoded pairs, multipart parts)."""
    pairs = draw(st.lists(st.tuples(st.sampled_from(FIELDS) | text, text | tricky_text),
                          max_size=6))  # fmt: skip
    urlencoded = "&".join(f"{name}={value}" for name, value in pairs).encode("utf-8", "replace")
    parts = b"".join(
        b"--fuzz\r\nContent-Disposition: form-data; name=\"" + name.encode("utf-8", "replace")
        + b"\"\r\n\r\n" + value.encode("utf-8", "replace") + b"\r\n"
        for name, value in pairs
    )  # fmt: skip
    multipart = parts + draw(st.sampled_from([b"--fuzz--\r\n", b"", b"--fuzz"]))
    return draw(st.sampled_from([urlencoded, multipart]) | st.binary(max_size=512))
