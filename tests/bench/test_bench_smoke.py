"""Every benchmark runs in smoke mode and prints each of its figures with a number.

Timings are never asserted: the figures belong to `make bench`, not to the test suite.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

FIGURE = re.compile(r"^\[bench\] (?P<name>\w+): (?P<value>[0-9.]+(?:e[+-]?\d+)?) .*\| target ")
# A figure that needs something a checkout may lack (git history) says why it was skipped.
SKIPPED = re.compile(r"^\[bench\] (?P<name>\w+): skipped \| \S")
MAY_SKIP = {"warm_submission_before_outbox"}
FIGURES = {
    "cold_start": [
        "cold_start",
        "cold_start_same_libraries",
        "cold_start_vs_floor",
        "cold_start_least_validation",
        "cold_start_least_validation_str_email",
        "cold_start_vs_floor_our_session",
        "cold_start_without_email",
    ],
    "cold_breakdown": ["cold_start_ours"],
    "warm": ["warm_submission", "warm_submission_with_contact", "warm_publisher"],
    "receipt_oracle": ["receipt_oracle_gap"],
    "before_outbox": ["warm_submission_before_outbox"],
    "restore": ["restore_submission"],
    "attachments": ["attachment_seal", "attachment_latency"],
    "package_size": ["package_size"],
    "cost": ["cost_per_million_reports"],
    "throughput": ["local_throughput"],
    "event_latency": ["event_latency"],
    "browser_encrypt": ["browser_encrypt_4mb"],
}
SERVES = {"throughput", "event_latency"}  # start `vdp serve`
EXTRA_ARGS = {"throughput": ["--free-ports"]}


def run_smoke(script: str) -> str:
    answer = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", "--smoke", *EXTRA_ARGS.get(script, [])],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    return answer.stdout


@pytest.mark.parametrize(
    "script",
    [pytest.param(name, marks=[pytest.mark.e2e] if name in SERVES else []) for name in FIGURES],
)
def test_benchmark_prints_every_figure_with_a_number(script: str) -> None:
    output = run_smoke(script)

    lines = output.splitlines()
    printed = {
        match["name"]: float(match["value"]) for line in lines if (match := FIGURE.match(line))
    }
    skipped = {match["name"] for line in lines if (match := SKIPPED.match(line))}

    assert skipped <= MAY_SKIP, output
    assert sorted(printed.keys() | skipped) == sorted(FIGURES[script]), output
    assert all(value >= 0 for value in printed.values()), output


def test_the_least_validation_checks_what_the_app_checks() -> None:
    """The stack figures measure real validation: they refuse what the intake refuses."""
    from pydantic import ValidationError

    from bench import common
    from bench.least_validation import validate

    blank_email = {"reporter": {"name": "A. Researcher", "email": " "}}  # absent, as in the app
    for email_validator in (True, False):
        validate(common.report_body(), email_validator=email_validator)
        validate(common.report_body(blank_email))
    bad_reports = (
        {"title": "SQL"},
        {"bounty_interest": "yes"},
        {"policy_accepted": False},
        {"unknown_field": 1},
        {"reporter": {"name": "A. Researcher", "email": "researcher.example.org"}},
    )
    for bad in bad_reports:
        with pytest.raises(ValidationError):
            validate(common.report_body(bad))
    for bad in bad_reports[:-1]:  # without email-validator, only the address passes
        with pytest.raises(ValidationError):
            validate(common.report_body(bad), email_validator=False)
    validate(common.report_body(bad_reports[-1]), email_validator=False)
