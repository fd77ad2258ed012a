"""Replies and notes from the CLI: given on the command line, or "-" for standard input."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import reporter_status
from chalicelib.usecases.team.inbox import show_report
from tests.builders import REPORT
from vdp.cli.main import main

LONG_REPLY = "Thanks for the report.\n\nWe reproduced it on 2.1.0:\n  - the bio is rendered raw\n"


def test_dash_reads_a_multi_line_text_from_standard_input(aws: Any) -> None:
    accepted = submit_report(REPORT, bootstrap.ports(), base_url="https://x")
    report_id = accepted.report_id
    runner = CliRunner()

    acked = runner.invoke(main, ["reports", "ack", report_id, "--message", "-"], input="On it.\n")
    replied = runner.invoke(main, ["reports", "reply", report_id, "-"], input=LONG_REPLY)
    noted = runner.invoke(main, ["reports", "note", report_id, "-"], input="internal\nonly\n")
    status = ["reports", "status", report_id, "triaged", "--note", "-"]
    triaged = runner.invoke(main, status, input="confirmed\n")
    literal = runner.invoke(main, ["reports", "note", report_id, "a-b - c"])

    assert [r.exit_code for r in (acked, replied, noted, triaged, literal)] == [0] * 5, (
        acked.output + replied.output + noted.output + triaged.output + literal.output
    )
    texts = [(m.kind, m.text) for m in show_report(bootstrap.ports(), report_id).messages]
    assert texts == [
        ("reply", "On it."),
        ("reply", LONG_REPLY.rstrip("\n")),
        ("note", "internal\nonly"),
        ("note", "confirmed"),
        ("note", "a-b - c"),
    ]
    seen = reporter_status(report_id, accepted.receipt, bootstrap.ports())
    assert [h.message for h in seen.history if h.type == "reply"] == [
        "On it.",
        LONG_REPLY.rstrip("\n"),
    ]


def test_an_empty_standard_input_is_refused_and_records_nothing(aws: Any) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id

    refused = CliRunner().invoke(main, ["reports", "reply", report_id, "-"], input="\n\n")

    assert refused.exit_code == 1 and refused.output.startswith("Error: "), refused.output
    assert show_report(bootstrap.ports(), report_id).messages == []


def test_a_closed_standard_input_is_a_usage_error_not_a_traceback() -> None:
    vdp = Path(sys.executable).with_name("vdp")  # the venv's script, beside its python
    # --local and nothing listening: whatever happens, no request reaches a real AWS.
    local = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = subprocess.run(
        [str(vdp), "--local", "reports", "note", "VDP-AAAA-BBBB", "-"],
        env=local,
        preexec_fn=lambda: os.close(0),  # the child starts with its stdin closed
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2 and "standard input is closed" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_output_keeps_every_character_the_reporter_sent(aws: Any) -> None:
    trojan = "if (isAdmin) {\u202e } \u2066// admin only\u2069 \x85 done and \x1b[31m red"
    report_id = submit_report(
        {**REPORT, "description": trojan}, bootstrap.ports(), base_url="https://x"
    ).report_id

    shown = CliRunner().invoke(main, ["reports", "show", report_id, "--json"])

    assert shown.exit_code == 0
    assert json.loads(shown.output)["report"]["description"] == trojan
    assert shown.output.isascii()  # escaped: nothing in it acts on a terminal
