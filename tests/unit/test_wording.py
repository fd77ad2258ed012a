"""Refusals in words a researcher understands: whatever a client sends, every message is
one of vdp's own sentences, never a library's default text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.policy.document import default_policy
from chalicelib.domain.report.models import FIELD_NAMES
from chalicelib.usecases.reporter.intake import parse_submission
from chalicelib.usecases.reporter.wording import COMMON, FALLBACKS, TEXTS
from tests.builders import REPORT

# Each sentence as a pattern: a placeholder stands for any value.
SENTENCES = [
    *COMMON.values(), *FALLBACKS.values(), "{count} more problems are not listed.",
    *(text for texts in TEXTS.values() for text in texts.values()),
]  # fmt: skip
OURS = [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(text)) + "$") for text in SENTENCES]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=8), st.text()),
)  # fmt: skip


def refusals(fields: dict[str, Any]) -> list[str]:
    try:
        parse_submission(fields, default_policy())
    except ValidationFailed as refused:
        return [problem.message for problem in refused.fields]
    return []


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(FIELD_NAMES) + ["x"]), VALUES, max_size=8))
def test_any_refusal_is_one_of_our_sentences(fields: dict[str, Any]) -> None:
    for message in refusals({**REPORT, **fields}):
        assert any(pattern.match(message) for pattern in OURS), message


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"product": ""}, "product", "Choose the product this report is about."),
        ({"product": "toaster"}, "product", "Choose one of the products listed, or “Other”."),
        ({"title": "abc"}, "title", "Give your report a title of at least 5 characters."),
        ({"policy_accepted": False}, "policy_accepted",
         "Accept the disclosure policy to send your report."),
        ({"policy_accepted": None}, "policy_accepted",
         "Accept the disclosure policy to send your report."),
        ({"description": "x" * 50_001}, "description",
         "Keep the description to at most 50,000 characters."),
        ({"reporter": {"email": "not-an-email"}}, "reporter.email",
         "Enter an email address such as name@example.org, or leave it empty."),
        ({"cvss_vector": "CVSS:3.1/AV:X"}, "cvss_vector",
         "Enter a CVSS 3.1 or 4.0 vector, such as CVSS:3.1/AV:N/AC:L/…, or leave it empty."),
        ({"severity": "apocalyptic"}, "severity",
         "Choose a severity from the list, or leave it empty."),
        ({"extra": "field"}, "(unknown field)", "This field is not part of a report."),
    ],
)  # fmt: skip
def test_each_field_says_what_to_do(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**REPORT, **change}, default_policy())

    assert (field, message) in [(p.field, p.message) for p in refused.value.fields]


def test_credit_asked_for_while_anonymous_is_refused_on_the_name_to_credit() -> None:
    anonymous = {**REPORT, "credit": {"wants_credit": True, "name": "h4ndle"}}
    anonymous.pop("reporter", None)

    with pytest.raises(ValidationFailed) as refused:
        parse_submission(anonymous, default_policy())
    named = parse_submission({**anonymous, "reporter": {"name": "Ada"}}, default_policy())
    declined = parse_submission({**anonymous, "credit": {"wants_credit": False}}, default_policy())

    [problem] = refused.value.fields
    assert (
        problem.field == "credit.name" and "Anonymous reports are never credited" in problem.message
    )
    assert named.credit is not None and declined.reporter is None
