"""Policy flags: hints, never rejections."""

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.policy.document import default_policy
from chalicelib.domain.report.flags import flags_for, version_supported
from chalicelib.usecases.reporter.intake import parse_submission, submit_report
from tests.unit.fakes import fake_ports

BASE = {
    "title": "Stored XSS in profile page",
    "description": "The display name is rendered without escaping on /profile.",
    "product": "example-app",
    "policy_accepted": True,
}


def flags(**changes: object) -> list[str]:
    policy = default_policy()
    return flags_for(parse_submission({**BASE, **changes}, policy), policy)


@pytest.mark.parametrize(
    ("product", "version", "expected"),
    [
        ("example-app", "2.4.1", True),
        ("example-app", "1.9", True),
        ("example-app", "0.9.3", False),
        ("example-app", "v0.9", False),
        ("example-api", "2.9", False),
        ("example-api", "3.0.0", True),
        ("example-app", "nightly", None),
        ("other", "1.0", None),
    ],
)
def test_version_ranges_come_from_the_policy(product: str, version: str, expected) -> None:
    assert version_supported(default_policy(), product, version) is expected


def test_unsupported_version_is_flagged() -> None:
    assert flags(version="0.9") == ["unsupported_version"]
    assert flags(version="2.0") == []


def test_excluded_classes_are_flagged_by_keyword() -> None:
    assert flags(title="Phishing page using our logo") == [
        "possibly_out_of_scope:social_engineering"
    ]
    assert flags(description="A brute force of the login form works without any lockout.") == [
        "possibly_out_of_scope:denial_of_service"
    ]


def test_keywords_match_whole_words_only() -> None:
    assert flags(description="The endpoint /api/dosage leaks internal ids to other users.") == []


def test_flags_reach_the_reporter_and_the_record_but_never_reject() -> None:
    ports = fake_ports()
    report = {**BASE, "version": "0.5", "title": "DDoS via large uploads"}

    accepted = submit_report(report, ports, base_url="https://x")

    record = ports.reports.records[accepted.report_id]
    assert accepted.flags == ["unsupported_version", "possibly_out_of_scope:denial_of_service"]
    assert record.flags == accepted.flags and record.supported is False


@pytest.mark.parametrize(
    ("version", "flag"),
    [("2.4.1", None), ("v2.4.1", None), ("0.9", "unsupported_version"),
     ("banana-1", "unrecognised_version"), ("2.x~rc_1+build", "unrecognised_version")],
)  # fmt: skip
def test_a_version_is_supported_unsupported_or_unrecognised(version: str, flag: str | None) -> None:
    noticed = flags(version=version)

    assert [f for f in noticed if f.endswith("_version")] == ([flag] if flag else [])


@pytest.mark.parametrize(
    "version", ["<b>2</b>", "2.4\n1", "2.4 1", "1.0\u202e", "x" * 65, "2;rm", "ü1"]
)
def test_a_version_is_only_a_version(version: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**BASE, "version": version}, default_policy())

    assert [p.field for p in refused.value.fields] == ["version"]
    assert "letters, digits" in refused.value.fields[0].message
