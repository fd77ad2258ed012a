"""`vdp security-txt` and `vdp credits`: what a new user types, checked."""

import json
from typing import Any

import pytest
from click.testing import CliRunner

from vdp.cli.main import main


@pytest.mark.parametrize("url", ["notaurl", "vdp.example.com", "ftp://x", "https://"])
@pytest.mark.parametrize(
    "command", [["security-txt", "--no-sign", "--base-url"], ["policy", "render", "--api"]]
)
def test_a_base_url_must_be_an_http_url(command: list[str], url: str) -> None:
    result = CliRunner().invoke(main, [*command, url])

    assert result.exit_code == 2 and "must be an http(s) URL" in result.output


def test_security_txt_points_at_the_form_of_the_given_url() -> None:
    result = CliRunner().invoke(main, ["security-txt", "--no-sign", "--base-url", "https://v.x/"])

    assert result.exit_code == 0 and "Contact: https://v.x/form\n" in result.output


def test_the_json_credits_list_ends_its_line(aws: Any) -> None:
    result = CliRunner().invoke(main, ["credits", "--format", "json"])

    assert result.exit_code == 0 and result.output.endswith("\n")
    assert json.loads(result.output) == []
