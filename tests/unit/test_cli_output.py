"""What the team's CLI prints to a terminal."""

from chalicelib.cli_output import echo_safe


def test_cli_output_drops_terminal_escape_sequences(capsys) -> None:
    echo_safe("title \x1b]52;c;cm0gLXJmIH4=\x07 and \x1b[31mred\x1b[0m\n\tindented \x9b2J")

    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\n\tindented" in printed
