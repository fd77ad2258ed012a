"""Validation of a submission: strict types, trimmed strings, no unknown fields."""

import base64

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.policy.document import default_policy
from chalicelib.usecases.reporter.intake import parse_submission

VALID = {
    "title": "Stored XSS in comments",
    "description": "A comment containing a script tag runs in every reader's browser.",
    "product": "example-app",
    "policy_accepted": True,
}


def problems(**changes: object) -> dict[str, str]:
    data = {**VALID, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationFailed) as caught:
        parse_submission(data, default_policy())
    return {p.field: p.message for p in caught.value.fields}


def test_minimal_submission_is_accepted_and_trimmed() -> None:
    submission = parse_submission({**VALID, "title": "  Stored XSS  "}, default_policy())

    assert submission.title == "Stored XSS"
    assert submission.bounty_interest is False
    assert submission.reporter is None


def test_every_optional_field_is_accepted() -> None:
    submission = parse_submission(
        {
            **VALID,
            "steps_to_reproduce": "1. Post a comment",
            "impact": "Session theft",
            "version": "2.1.0",
            "severity": "high",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "reporter": {"name": "Ada", "email": "ada@example.org"},
            "credit": {"wants_credit": True, "name": "ada"},
            "bounty_interest": True,
            "attachments": [
                {
                    "filename": "poc.html",
                    "content_type": "text/html",
                    "data": base64.b64encode(b"<p>").decode(),
                }
            ],
            "website": "",
        },
        default_policy(),
    )

    assert submission.attachments[0].data == b"<p>"
    assert submission.credit is not None and submission.credit.wants_credit


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "abc"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "too short"}, "description"),
        ({"product": "not-ours"}, "product"),
        ({"policy_accepted": False}, "policy_accepted"),
        ({"policy_accepted": "true"}, "policy_accepted"),
        ({"bounty_interest": 1}, "bounty_interest"),
        ({"severity": "urgent"}, "severity"),
        ({"cvss_vector": "CVSS:3.1/AV:N"}, "cvss_vector"),
        ({"version": "v" * 65}, "version"),
        ({"reporter": {"email": "not-an-address"}}, "reporter.email"),
        ({"reporter": {"pgp_key": "hello"}}, "reporter.pgp_key"),
        ({"credit": {"name": "ada"}}, "credit.wants_credit"),
        ({"attachments": [{"filename": "a", "data": "!!!"}]}, "attachments.0.data"),
        ({"unexpected": 1}, "(unknown field)"),
        ({"reporter": {"name": "a", "handle": "b"}}, "reporter.(unknown field)"),
        ({"title": 12345}, "title"),
        ({"reporter": {"name": "Mal\nreport_id     VDP-AAAA-BBBB"}}, "reporter.name"),
        ({"reporter": {"name": "Eve \u202egnp.exe"}}, "reporter.name"),
        ({"credit": {"wants_credit": True, "name": "\x1b]8;;https://x\x1b\\y"}}, "credit.name"),
        ({"credit": {"wants_credit": True, "name": "two\u2028lines"}}, "credit.name"),
    ],
)
def test_invalid_field_is_named(changes: dict[str, object], field: str) -> None:
    assert field in problems(**changes)


def test_messages_never_repeat_the_input() -> None:
    secret = "hunter2-secret-value"
    found = problems(
        title=secret[:3],
        reporter={"email": f"{secret}@@"},
        severity=secret,
        product=secret,
        cvss_vector=secret,
        **{secret: "x"},
    )

    for field, message in found.items():
        assert secret not in message
        assert secret not in field or field == secret  # a safe key name is the field itself


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "\u00c0", "bounty\n", "b" * 65])
def test_unknown_keys_with_odd_names_are_not_echoed(name: str) -> None:
    found = problems(**{name: 1})

    assert list(found) == ["(unknown field)"]


def test_too_many_attachments_and_too_many_bytes() -> None:
    limits = default_policy().limits
    small = {"filename": "a.txt", "data": base64.b64encode(b"a").decode()}
    big = {
        "filename": "b.bin",
        "data": base64.b64encode(b"\0" * (limits.max_attachment_bytes + 1)).decode(),
    }

    assert "attachments" in problems(attachments=[small] * (limits.max_attachments + 1))
    assert "attachments" in problems(attachments=[big])


@pytest.mark.parametrize("name", ["Zoë Ünal", "مریم\u200cخانی", "👩\u200d💻 hacker", "李小龙"])
def test_names_in_any_script_are_kept_as_written(name: str) -> None:
    fields = {**VALID, "reporter": {"name": name}, "credit": {"wants_credit": True, "name": name}}

    submission = parse_submission(fields, default_policy())

    assert submission.reporter and submission.credit
    assert submission.reporter.name == submission.credit.name == name


def test_null_optional_fields_mean_not_given() -> None:
    attachment = {"filename": "poc.txt", "content_type": None, "data": "cG9j"}

    with_nulls = parse_submission(
        {**VALID, "attachments": None, "bounty_interest": None, "reporter": None},
        default_policy(),
    )
    typed = parse_submission({**VALID, "attachments": [attachment]}, default_policy())

    assert (with_nulls.attachments, with_nulls.bounty_interest, with_nulls.reporter) == (
        [],
        False,
        None,
    )
    assert typed.attachments[0].content_type == "application/octet-stream"
    assert "policy_accepted" in problems(policy_accepted=None)
