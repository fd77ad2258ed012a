"""What the team's CLI prints to a terminal."""

from vdp.cli.output import describe_report, echo_safe


def test_cli_output_drops_terminal_escape_sequences(capsys) -> None:
    echo_safe("title \x1b]52;c;cm0gLXJmIH4=\x07 and \x1b[31mred\x1b[0m\n\tindented \x9b2J")

    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\n\tindented" in printed


def test_a_shown_report_gives_triage_facts_and_keeps_one_line_fields_on_one_line() -> None:
    document = {
        "record": {
            "report_id": "VDP-7K3M-9QX2",
            "status": "received",
            "product": "example-app",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "cvss_score": 9.8,
            "flags": ["unsupported_version", "possibly_out_of_scope:dos"],
            "bounty_interest": True,
        },
        "report": {
            "title": "XSS\nwritten: /etc/passwd",
            "description": "two\nlines",
            "impact": "x\n[2026-11-23T10:00:00] reply (alice):",
            "credit": {"wants_credit": True, "name": "grace_h"},
        },
        "attachments": [{"filename": "a\u202etxt.exe\nwritten: /x", "size": 3}],
        "written": [],
        "messages": [],
    }

    lines = describe_report(document).splitlines()

    assert lines[0] == "VDP-7K3M-9QX2  [received]  XSS written: /etc/passwd"
    assert "  flags           unsupported_version,possibly_out_of_scope:dos" in lines
    assert "  cvss_score      9.8" in lines and "  bounty_interest True" in lines
    assert "  credit wanted   yes, as grace_h" in lines
    assert "  | two" in lines and "  | lines" in lines  # free text keeps its lines, marked
    assert not any(line.startswith(("written:", "[")) for line in lines)


def test_bidirectional_overrides_never_reach_the_terminal(capsys) -> None:
    echo_safe("invoice\u202egpj.exe \u2066x\u2069")

    assert capsys.readouterr().out == "invoicegpj.exe x\n"
