"""`vdp security-txt`, `vdp policy render` and `vdp credits`: what a new user types, checked."""

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib.domain.policy.document import DEFAULT_POLICY
from vdp.cli.main import main

SITE = Path(__file__).resolve().parents[2] / "examples" / "policy-site" / "index.html"
TEMPLATE = "{{VDP_API}}"  # the placeholder `vdp serve` replaces with its API's address


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


def test_the_policy_site_command_writes_the_committed_page(tmp_path: Path) -> None:
    written = tmp_path / "index.html"

    result = CliRunner().invoke(
        main, ["policy", "render", "--format", "html", "--api", TEMPLATE, "--output", written]
    )

    assert result.exit_code == 0, result.output
    assert written.read_text() == SITE.read_text(), "regenerate: make policy-site"
    assert f'<script src="{TEMPLATE}/embed.js"' in written.read_text()


def test_the_template_placeholder_is_only_for_the_html_page() -> None:
    result = CliRunner().invoke(main, ["policy", "render", "--api", TEMPLATE])

    assert result.exit_code == 2 and "add --format html" in result.output


@pytest.mark.parametrize(
    ("problem", "expected_exit"),
    [(["--policy", "broken.toml"], 1), (["--api", "vdp.example.com"], 2)],
)
def test_a_failed_render_leaves_the_output_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: list[str], expected_exit: int
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.toml").write_text("[organisation]\nname = 'no contacts'\n")
    Path("index.html").write_text("the page as it was\n")

    result = CliRunner().invoke(
        main, ["policy", "render", "--format", "html", *problem, "--output", "index.html"]
    )

    assert result.exit_code == expected_exit
    assert Path("index.html").read_text() == "the page as it was\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.toml", "index.html"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["security-txt", "--no-sign"], "Contact: mailto:psirt@example.org\n"),
        (["policy", "render"], "- email: psirt@example.org\n"),
        (["policy", "render", "--format", "html"], 'href="mailto:psirt@example.org"'),
    ],
)
def test_policy_outputs_follow_vdp_policy_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], expected: str
) -> None:
    other = tmp_path / "policy.toml"
    other.write_text(
        DEFAULT_POLICY.read_text().replace("security@example.com", "psirt@example.org")
    )
    monkeypatch.setenv("VDP_POLICY_PATH", str(other))

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 0, result.output
    assert expected in result.output and "security@example.com" not in result.output
