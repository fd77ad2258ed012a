"""`vdp reports show` as a person reads it: the reporter in labelled lines, times as
every other command prints them."""

import json
from typing import Any

import pysequoia
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import MINIMAL_REPORT
from vdp.cli.main import main


def vdp(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def filed(reporter: dict[str, Any] | None) -> str:
    fields = {**MINIMAL_REPORT, **({"reporter": reporter} if reporter else {})}
    return submit_report(fields, bootstrap.ports(), base_url="https://x").report_id


def reporter_block(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("reporter"))
    return lines[start : start + 5]


def test_the_reporter_is_labelled_lines_with_the_keys_fingerprint(aws: Any) -> None:
    cert = pysequoia.Tsk.generate("Rae <rae@example.org>").extract_certificate()
    armored = str(cert)
    report_id = filed(
        {"name": "Rae", "email": "rae@example.org", "pgp_key": armored, "email_updates": False}
    )

    shown = vdp("reports", "show", report_id)

    fingerprint = cert.fingerprint.upper()
    grouped = " ".join(fingerprint[i : i + 4] for i in range(0, 40, 4))
    assert shown.exit_code == 0, shown.output
    assert reporter_block(shown.output) == [
        "reporter:",
        "  name            Rae",
        "  email           rae@example.org",
        "  mail updates    off (the reporter chose none)",
        f"  pgp key         {grouped}",
    ]
    assert "BEGIN PGP" not in shown.output and '"email"' not in shown.output
    as_json = json.loads(vdp("reports", "show", report_id, "--json").output)
    assert as_json["report"]["reporter"]["pgp_key"] == armored.strip()  # whole in --json


def test_a_reporter_without_a_key_has_none_and_an_anonymous_one_says_so(aws: Any) -> None:
    with_mail = filed({"email": "grace@example.org"})
    anonymous = filed(None)

    mailed = vdp("reports", "show", with_mail)
    nobody = vdp("reports", "show", anonymous)

    assert reporter_block(mailed.output) == [
        "reporter:",
        "  name            -",
        "  email           grace@example.org",
        "  mail updates    on",
        "  pgp key         none",
    ]
    assert "reporter: anonymous" in nobody.output.splitlines()


def test_a_messages_time_is_printed_as_the_timeline_prints_it(aws: Any) -> None:
    report_id = filed(None)
    vdp("reports", "reply", report_id, "Thanks, we are on it.")

    shown = vdp("reports", "show", report_id)
    timeline = json.loads(vdp("reports", "timeline", report_id, "--json").output)

    at = next(event["at"] for event in timeline if event["kind"] == "reply")
    assert at.endswith("Z")
    assert any(line.startswith(f"[{at}] reply (") for line in shown.output.splitlines())
