"""The form encrypts the report in the browser to the team's OpenPGP key (headless Chromium
against `vdp serve`): what leaves the page holds no plaintext and no file name, the notice
names the key before anything is sent, the team's CLI (`vdp --local reports show`, the demo
secret key) opens every part and writes each file under its own name, a file at the form's
limit round-trips through both layers, CJK text at its plain limit is accepted encrypted
(one character more is refused in the page, in characters), another key is refused with
nothing sent, without
JavaScript the form still posts (encrypted at rest only), and a reply to the reporter's
own key reaches their status page as armor, with a copy button."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysequoia
import pytest

from chalicelib.domain.policy.document import DEFAULT_POLICY
from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import Stack, fill_report, shot
from tests.e2e.httpclient import post_json

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TEAM_KEY = DEFAULT_POLICY.parent / "demo-team-key.asc"
SECRET_KEY = PROJECT_DIR / "examples" / "demo-team-key" / "DEMO-ONLY-secret-key.asc"
GPG = shutil.which("gpg") or "gpg"
ARMOR = "-----BEGIN PGP MESSAGE-----"
MARKERS = {
    "description": "DESCRIPTION-MARKER-7f3a: the export endpoint reads ../../etc/passwd",
    "steps_to_reproduce": "STEPS-MARKER-91c2\n1. GET /export?file=../../etc/passwd",
    "impact": "IMPACT-MARKER-4be8: every file the service can read",
}
FILE_MARKER = b"ATTACHMENT-MARKER-c0d5: curl https://app.example.com/export?file=/etc/shadow\n"
TOKENS = [b"DESCRIPTION-MARKER-7f3a", b"STEPS-MARKER-91c2", b"IMPACT-MARKER-4be8",
          b"ATTACHMENT-MARKER-c0d5", base64.b64encode(FILE_MARKER[:24])]  # fmt: skip
CONTENT = list(MARKERS)


class TeamGnuPG:
    """A throwaway GnuPG home holding the demo team key's secret key."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.run("--import", str(SECRET_KEY))
        listed = self.run("--with-colons", "--list-secret-keys").stdout.decode()
        self.fingerprint = re.findall(r"^fpr:+([0-9A-F]{40}):", listed, flags=re.M)[0]

    def run(self, *args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(  # noqa: S603 - Debian's gpg, our arguments
            [GPG, "--homedir", str(self.home), "--batch", "--no-tty", *args],
            input=data,
            capture_output=True,
            timeout=120,
            check=True,
        )

    def decrypt(self, message: bytes) -> tuple[bytes, str]:
        """The plaintext and the file name its literal data carries."""
        answer = self.run("--status-fd", "2", "--decrypt", data=message)
        found = re.search(rb"^\[GNUPG:\] PLAINTEXT \w+ \d+ ?(.*)$", answer.stderr, flags=re.M)
        name = found[1].decode() if found else ""
        return answer.stdout, name.replace("%20", " ")


@pytest.fixture(scope="module")
def gnupg() -> Iterator[TeamGnuPG]:
    # Short: gpg-agent's socket path must fit in a sockaddr_un.
    home = Path(tempfile.mkdtemp(prefix="vdp-gpg-", dir="/tmp"))
    home.chmod(0o700)
    try:
        yield TeamGnuPG(home)
    finally:
        subprocess.run(  # noqa: S603 - stops only the agent of this home
            ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False, timeout=30
        )
        shutil.rmtree(home, ignore_errors=True)


def grouped(fingerprint: str) -> str:
    return " ".join(fingerprint.upper()[i : i + 4] for i in range(0, len(fingerprint), 4))


def fill_content(page: Any, title: str) -> None:
    fill_report(page, title)
    page.get_by_label("Description").fill(MARKERS["description"])
    page.get_by_label("Steps to reproduce").fill(MARKERS["steps_to_reproduce"])
    page.get_by_label("Impact").fill(MARKERS["impact"])


def is_report_post(response: Any) -> bool:
    return bool(response.request.method == "POST" and response.url.endswith("/reports"))


def send(page: Any) -> tuple[dict[str, Any], Any]:
    """Click Send; the JSON body that left the page and the server's answer."""
    with page.expect_response(is_report_post, timeout=60_000) as answered:
        page.get_by_role("button", name="Send report").click()
    response = answered.value
    return json.loads(response.request.post_data_buffer), response


def stored(stack: Stack, report_id: str, out: Path, *arguments: str) -> dict[str, Any]:
    """What the team's CLI shows (`vdp --local reports show --json`, the demo key)."""
    shown = stack.cli("reports", "show", report_id, "--json", "--attachments-dir", str(out),
                      *arguments)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    document: dict[str, Any] = json.loads(shown.stdout)
    return document


def opened_by_the_cli(stack: Stack, report_id: str, out: Path) -> dict[str, Any]:
    """`show` with --require-decryption: it fails unless the CLI itself opened every
    end-to-end encrypted part (nothing is decrypted here on its behalf)."""
    document = stored(stack, report_id, out, "--require-decryption")
    assert document["end_to_end"]["problems"] == {}
    assert all(a["end_to_end"] == "decrypted" for a in document["attachments"])
    return document


def notice_shown(page: Any) -> str:
    notice = page.locator("#vdp-e2e-notice")
    notice.wait_for(state="visible", timeout=20_000)
    return str(notice.inner_text())


def test_the_report_leaves_the_browser_encrypted_to_the_team_key(
    stack: Stack, page: Any, gnupg: TeamGnuPG, tmp_path: Path
) -> None:
    proof = tmp_path / "proof of concept.txt"
    proof.write_bytes(FILE_MARKER)
    page.goto(f"{stack.api}/form")
    fill_content(page, "Path traversal in the export endpoint")
    page.get_by_label("Attachments").set_input_files(str(proof))
    before_sending = notice_shown(page)
    shot(page, "e2e-notice")

    body, response = send(page)
    answer = response.json()
    page.locator("#r-report-id").wait_for()
    protection = page.locator("#r-protection").inner_text()
    shot(page, "e2e-receipt")

    # The notice named the organisation and its key's fingerprint before anything was sent.
    assert "Encrypted in your browser to Example Corp’s key" in before_sending
    assert grouped(gnupg.fingerprint) in before_sending
    assert "title" in before_sending  # the reporter is told the title is not encrypted
    # Nothing that left the page holds the plaintext; the content fields are OpenPGP messages.
    sent = response.request.post_data_buffer
    assert ARMOR.encode() in sent
    assert [token for token in TOKENS if token in sent] == []
    assert all(body[name].startswith(ARMOR) for name in CONTENT)
    assert body["title"] == "Path traversal in the export endpoint"  # in clear, by design
    assert body["product"] == "example-app" and body["credit"]["name"] == "canary-researcher"
    [attachment] = body["attachments"]
    assert attachment["filename"] == "attachment-1.pgp"  # the real name is in the message
    assert attachment["content_type"] == "application/pgp-encrypted"
    assert b"proof of concept" not in sent and b"proof%20of%20concept" not in sent
    # What left the page opens with the team's secret key, file name included.
    for name in CONTENT:
        plain = gnupg.decrypt(body[name].encode())[0].decode()
        assert plain.replace("\r\n", "\n") == MARKERS[name]
    assert gnupg.decrypt(base64.b64decode(attachment["data"])) == (
        FILE_MARKER,
        "proof of concept.txt",
    )
    # Accepted, flagged, and the receipt says which protection applied.
    assert response.status == 201 and "encrypted" in answer["flags"]
    assert protection.startswith("Encrypted in your browser to Example Corp’s key")
    assert protection.endswith(f"{grouped(gnupg.fingerprint)} and at rest")
    assert page.locator(".vdp-flags li").count() == 0  # "encrypted" is no out-of-scope warning
    # The team's CLI opens what was stored with the demo secret key: every field, and the
    # file under the name inside its message.
    document = opened_by_the_cli(stack, answer["report_id"], tmp_path / "out")
    assert "encrypted" in document["record"]["flags"]
    assert document["end_to_end"]["fields"] == dict.fromkeys(CONTENT, "decrypted")
    assert {name: document["report"][name] for name in CONTENT} == MARKERS
    [shown] = document["attachments"]
    assert (shown["filename"], shown["stored_as"]) == ("proof of concept.txt", "attachment-1.pgp")
    [written] = (tmp_path / "out").iterdir()
    assert (written.name, written.read_bytes()) == ("0-proof of concept.txt", FILE_MARKER)
    assert page.problems == []  # no CSP violation, no failed integrity check


def test_a_file_at_the_forms_limit_round_trips_through_both_layers(
    stack: Stack, page: Any, gnupg: TeamGnuPG, tmp_path: Path
) -> None:
    page.goto(f"{stack.api}/form")
    limit = int(page.locator("#vdp-report").get_attribute("data-max-bytes"))
    assert limit == 4 * 1024 * 1024  # the policy's 4 MB
    big = tmp_path / "memory-dump.bin"
    big.write_bytes(os.urandom(limit))
    fill_report(page, "Heap contents leak in the export endpoint")
    page.get_by_label("Attachments").set_input_files(str(big))
    notice_shown(page)

    body, response = send(page)
    answer = response.json()
    sealed = base64.b64decode(body["attachments"][0]["data"])

    assert response.status == 201, answer
    assert "encrypted" in answer["flags"]
    assert (
        hashlib.sha256(gnupg.decrypt(sealed)[0]).digest()
        == hashlib.sha256(big.read_bytes()).digest()
    )
    # KMS's layer, then OpenPGP's, both opened by the team's CLI.
    document = opened_by_the_cli(stack, answer["report_id"], tmp_path / "out")
    [shown] = document["attachments"]
    assert (shown["filename"], shown["stored_as"]) == ("memory-dump.bin", "attachment-1.pgp")
    [written] = (tmp_path / "out").iterdir()
    assert written.name == "0-memory-dump.bin"
    assert (
        hashlib.sha256(written.read_bytes()).digest() == hashlib.sha256(big.read_bytes()).digest()
    )


def test_a_key_without_the_pages_fingerprint_is_refused_and_nothing_is_sent(
    stack: Stack, page: Any
) -> None:
    other = str(pysequoia.Tsk.generate("Mallory <mallory@example.org>").extract_certificate())
    page.route(
        "**/.well-known/pgp-key.txt",
        lambda route: route.fulfill(status=200, content_type="text/plain", body=other),
    )
    page.goto(f"{stack.api}/form")
    fill_content(page, "Path traversal in the export endpoint")
    notice = page.locator("#vdp-e2e-notice.vdp-e2e-refused")
    notice.wait_for(timeout=20_000)
    warned = notice.inner_text()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}"))

    page.get_by_role("button", name="Send report").click()
    summary = page.locator("#vdp-errors")
    summary.wait_for(timeout=20_000)
    refused = summary.inner_text()
    shot(page, "e2e-wrong-key")

    assert "Encrypted in your browser" not in warned and "is not Example Corp’s key" in warned
    assert "Your report was not sent" in refused and "Nothing was sent" in refused
    assert [url for url in asked if "/reports" in url or "/challenge" in url] == []
    assert page.get_by_label("Description").input_value() == MARKERS["description"]


def test_a_library_that_fails_its_integrity_check_never_runs(stack: Stack, page: Any) -> None:
    def tampered(route: Any) -> None:
        original = route.fetch()
        route.fulfill(response=original, body=original.body() + b"\n;window.tampered=true;")

    page.route("**/assets/openpgp.min.js", tampered)
    page.goto(f"{stack.api}/form")
    text = notice_shown(page)

    assert page.evaluate("[typeof window.openpgp, typeof window.tampered]") == [
        "undefined",
        "undefined",
    ]
    assert "cannot encrypt your report" in text and "Encrypted in your browser" not in text
    assert any("integrity" in problem for problem in page.problems)


def test_without_openpgp_js_a_hand_encrypted_field_is_not_claimed_as_the_browsers(
    stack: Stack, page: Any
) -> None:
    page.route("**/assets/openpgp.min.js", lambda route: route.abort())
    team_key = pysequoia.Cert.from_bytes(TEAM_KEY.read_bytes())
    sealed = bytes(pysequoia.encrypt(recipients=[team_key], bytes=b"x" * 40)).decode()
    page.goto(f"{stack.api}/form")
    fill_report(page, "Path traversal in the export endpoint")
    page.get_by_label("Description").fill(sealed)

    body, response = send(page)
    page.locator("#r-report-id").wait_for()
    protection = page.locator("#r-protection").inner_text()

    assert body["description"] == sealed.strip() and "encrypted" in response.json()["flags"]
    assert protection.startswith("The parts you encrypted are encrypted to Example Corp’s key")
    assert "in your browser" not in protection


def test_the_form_with_its_notice_has_no_serious_accessibility_violations(
    stack: Stack, page: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{stack.api}/form")
    notice_shown(page)
    violations = Axe().run(page).response["violations"]

    serious = [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_without_javascript_the_form_posts_encrypted_at_rest_only(
    stack: Stack, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    proof = tmp_path / "proof.bin"
    proof.write_bytes(FILE_MARKER)
    page.goto(f"{stack.api}/form")
    hidden_notice = page.locator("#vdp-e2e-notice").is_hidden()
    fill_content(page, "Path traversal without JavaScript")
    page.get_by_label("Attachments").set_input_files(str(proof))
    with page.expect_response(is_report_post, timeout=60_000) as answered:
        page.get_by_role("button", name="Send report").click()
    report_id = str(page.locator("#r-report-id").text_content())
    status = answered.value.status
    content_type = answered.value.request.headers["content-type"]
    context.close()
    document = stored(stack, report_id, tmp_path / "out")

    assert hidden_notice  # nothing claims encryption in the browser
    assert status == 201
    assert content_type.startswith("multipart/form-data")  # the browser's own post
    assert "encrypted" not in document["record"]["flags"]
    assert document["report"]["impact"] == MARKERS["impact"]
    assert [path.read_bytes() for path in (tmp_path / "out").iterdir()] == [FILE_MARKER]


def test_a_key_the_page_could_not_fetch_is_fetched_again_when_sending(
    stack: Stack, page: Any
) -> None:
    failures = [1]

    def flaky(route: Any) -> None:
        if failures:
            failures.pop()
            route.abort()
        else:
            route.continue_()

    page.route("**/.well-known/pgp-key.txt", flaky)
    page.goto(f"{stack.api}/form")
    fill_content(page, "Path traversal in the export endpoint")
    waiting = notice_shown(page)

    body, response = send(page)
    page.locator("#r-report-id").wait_for()

    assert "could not be fetched yet" in waiting and "Example Corp’s key" in waiting
    assert response.status == 201 and "encrypted" in response.json()["flags"]
    assert all(body[name].startswith(ARMOR) for name in CONTENT)
    assert failures == []


def test_a_reply_to_the_reporters_key_shows_as_armor_with_a_working_copy_button(
    stack: Stack, page: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    reply = "We reproduced it; the fix ships on Monday. REPLY-MARKER-5a0e"
    reporter_key = str(pysequoia.Tsk.generate("Rae <rae@example.org>").extract_certificate())
    report = {"title": "Path traversal in the export endpoint", "product": "example-app",
              "description": MARKERS["description"], "policy_accepted": True,
              "reporter": {"pgp_key": reporter_key}}  # fmt: skip
    accepted = post_json(f"{stack.api}/reports", report).json()
    said = stack.cli("reports", "reply", accepted["report_id"], reply)

    page.goto(f"{stack.api}/status#{accepted['report_id']}.{accepted['receipt']}")
    armored = page.locator("pre.vdp-armored")
    armored.wait_for(timeout=20_000)
    copy = page.get_by_role("button", name="Copy", exact=True)
    shot(page, "e2e-armored-reply")
    violations = Axe().run(page).response["violations"]
    visible = copy.is_visible()  # status.js shows it: the page's markup keeps it hidden
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    page.locator("#vdp-live").get_by_text("Encrypted reply copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")

    assert said.returncode == 0 and said.stdout.strip().endswith("encrypted to the reporter's key")
    assert armored.inner_text().startswith(ARMOR) and "REPLY-MARKER" not in page.content()
    assert visible and copied.strip() == armored.inner_text().strip()
    assert [
        (v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")
    ] == []
    assert page.problems == []


def test_cjk_text_at_its_plain_limit_is_accepted_and_one_character_more_is_refused_unsent(
    stack: Stack, page: Any, gnupg: TeamGnuPG
) -> None:
    # Random CJK compresses to ~1.8 bytes a character: over an armored limit that assumed 1.
    impact = "".join(chr(0x4E00 + b % 20_000) for b in os.urandom(20_000))
    page.goto(f"{stack.api}/form")
    fill_content(page, "Path traversal in the export endpoint")
    impact_box = page.get_by_label("Impact")
    impact_box.evaluate("(box, text) => { box.value = text; }", impact + "字")
    notice_shown(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(f"{r.method} {r.url}"))
    page.get_by_role("button", name="Send report").click()
    page.locator("#vdp-errors").wait_for(timeout=20_000)
    refused = page.locator("#vdp-errors").inner_text()
    assert "Keep the impact to at most 20,000 characters." in refused  # in plain characters
    assert [url for url in asked if "/reports" in url] == []

    impact_box.evaluate("(box, text) => { box.value = text; }", impact)
    body, response = send(page)

    assert response.status == 201, response.text()
    assert body["impact"].startswith(ARMOR)
    assert gnupg.decrypt(body["impact"].encode())[0].decode() == impact
