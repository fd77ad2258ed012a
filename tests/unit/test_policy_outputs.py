"""security.txt and the rendered policy page come from policy.toml alone."""

import subprocess
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sectxt

from chalicelib.domain.policy.document import DEFAULT_POLICY, Policy, default_policy
from chalicelib.usecases.reporter.intake import acknowledge_by
from chalicelib.web.render import API_PLACEHOLDER, render_html, render_markdown
from chalicelib.web.securitytxt import clearsign, render_security_txt

API = "https://intake.example.com/api"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def fields(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if ": " in line and not line.startswith("#"):
            name, value = line.split(": ", 1)
            found.setdefault(name, []).append(value)
    return found


def policy_with(**changes: dict) -> Policy:
    data = tomllib.loads(DEFAULT_POLICY.read_text())
    for section, values in changes.items():
        data[section] = {**data.get(section, {}), **values}
    return Policy.model_validate(data)


def test_security_txt_validates_with_no_errors() -> None:
    text = render_security_txt(default_policy(), datetime.now(UTC), API)

    parsed = sectxt.Parser(text.encode(), urls=f"{API}/.well-known/security.txt")

    assert parsed.errors == []
    assert [r["code"] for r in parsed.recommendations] == ["not_signed"]


def test_security_txt_has_every_field_from_the_policy() -> None:
    found = fields(render_security_txt(default_policy(), NOW, API))

    assert found["Contact"] == ["mailto:security@example.com", f"{API}/form"]
    assert found["Encryption"] == [f"{API}/.well-known/pgp-key.txt"]  # the key it publishes
    assert found["Acknowledgments"] == [f"{API}/acknowledgments"]
    assert found["Policy"] == ["https://www.example.com/security"]
    assert found["Preferred-Languages"] == ["en, de"]
    assert f"{API}/.well-known/security.txt" in found["Canonical"]


def test_expires_moves_with_the_clock_and_stays_under_a_year() -> None:
    first = fields(render_security_txt(default_policy(), NOW, API))["Expires"][0]
    later = fields(render_security_txt(default_policy(), NOW + timedelta(days=30), API))["Expires"][
        0
    ]

    assert first == "2027-05-22T09:30:00Z"
    assert later == "2027-06-21T09:30:00Z"
    assert datetime.fromisoformat(first) - NOW < timedelta(days=365)


@pytest.fixture
def gpg_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "security@example.com",
         "ed25519", "sign", "never"],
        check=True, capture_output=True,
    )  # fmt: skip
    return "security@example.com"


def test_signed_security_txt_verifies_and_still_validates(gpg_key: str) -> None:
    text = render_security_txt(default_policy(), datetime.now(UTC), API)

    signed = clearsign(text, gpg_key)

    verified = subprocess.run(["gpg", "--verify"], input=signed.encode(), capture_output=True)
    parsed = sectxt.Parser(signed.encode())
    assert verified.returncode == 0
    assert parsed.errors == []
    assert "not_signed" not in [r["code"] for r in parsed.recommendations]


def test_policy_page_has_every_section_and_the_policys_figures() -> None:
    page = render_markdown(default_policy(), f"{API}/form")

    for heading in (
        "Reporting a vulnerability", "What to include", "Encrypting your report",
        "Supported versions", "Our disclosure process", "Bug bounty", "Out of scope",
        "Safe harbor",
    ):  # fmt: skip
        assert f"## {heading}" in page
    assert "within 3 business days" in page and "7 days (critical)" in page
    assert "| Example App | below 1.0 | no |" in page
    assert "Denial of service, DDoS and brute force" in page


def test_changing_a_figure_changes_the_page_and_the_clock_together() -> None:
    slower = policy_with(sla={"ack_business_days": 5})

    assert "within 5 business days" in render_markdown(slower, "f")
    assert "within 5 business days" in render_html(slower, "f")
    assert acknowledge_by(slower, date(2026, 11, 20)) == date(2026, 11, 30)  # Thanksgiving
    assert acknowledge_by(default_policy(), date(2026, 11, 20)) == date(2026, 11, 25)


def test_html_page_escapes_policy_text_and_embeds_the_form() -> None:
    hostile = policy_with(organisation={"name": "<script>alert(1)</script>"})

    page = render_html(hostile, "f", api="http://127.0.0.1:8000")

    assert "<script>alert(1)</script>" not in page
    assert '<script src="http://127.0.0.1:8000/embed.js" data-target="#vdp-form" async>' in page


def test_every_address_the_html_page_shows_is_a_link() -> None:
    page = render_html(default_policy(), f"{API}/form", api=API)

    assert f'the report form: <a href="{API}/form">{API}/form</a>' in page
    assert 'email: <a href="mailto:security@example.com">security@example.com</a>' in page
    assert f'<a href="{API}/.well-known/security.txt">security.txt</a>' in page
    assert '<p class="vdp-org"><a href="https://www.example.com">Example Corp</a></p>' in page


def test_addresses_in_policy_text_become_escaped_links() -> None:
    terms = 'See https://bounty.example.com/terms?a=1&b="2". Or <b>http://x.example.com</b>'
    with_terms = policy_with(bounty={"enabled": True, "terms": terms})

    page = render_html(with_terms, "https://intake.example.com/form?x=1&y=<2>")

    assert '<a href="https://bounty.example.com/terms?a=1&amp;b=">' in page
    assert '&lt;b&gt;<a href="http://x.example.com">http://x.example.com</a>&lt;/b&gt;' in page
    assert '<a href="https://intake.example.com/form?x=1&amp;y=&lt;2&gt;">' in page
    assert "<b>" not in page and "y=<2>" not in page


def test_markdown_shows_the_same_addresses_as_text() -> None:
    page = render_markdown(default_policy(), f"{API}/form")

    assert f"- the report form: {API}/form\n- email: security@example.com\n" in page
    assert "<a " not in page


def test_the_example_policy_site_is_the_rendered_policy() -> None:
    site = Path(__file__).resolve().parents[2] / "examples" / "policy-site" / "index.html"
    api = API_PLACEHOLDER

    expected = render_html(default_policy(), f"{api}/form", api=api)

    assert site.read_text() == expected, "regenerate: make policy-site"


def test_a_v6_fingerprint_of_64_hex_digits_is_accepted() -> None:
    v6 = " ".join(["ABCD"] * 16)

    assert policy_with(encryption={"pgp_fingerprint": v6}).encryption.fingerprint_hex() == (
        "abcd" * 16
    )


def test_a_key_known_only_by_its_fingerprint_is_published_as_an_openpgp4fpr_uri() -> None:
    by_fingerprint = policy_with(encryption={"pgp_key_url": "", "pgp_key_file": ""})

    text = render_security_txt(by_fingerprint, NOW, API)

    expected = "openpgp4fpr:c37342b5b6634d710c2ef1335c22797aadcc6caa"
    assert fields(text)["Encryption"] == [expected]
    assert sectxt.Parser(text.encode(), urls=f"{API}/.well-known/security.txt").errors == []
    assert "C373 42B5" in render_markdown(by_fingerprint, "f")


@pytest.mark.parametrize(
    "key",
    [
        {"pgp_key_url": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF..."},
        {"pgp_key_url": "http://www.example.com/key.asc"},
        {"pgp_fingerprint": "0D5A 3C1B"},
        {"pgp_key": "-----BEGIN PGP PUBLIC KEY BLOCK-----"},
    ],
)
def test_key_settings_that_would_break_security_txt_are_refused(key: dict) -> None:
    with pytest.raises(ValueError, match="encryption"):
        policy_with(encryption=key)
