"""End-to-end encryption through the team's CLI, below HTTP: a report encrypted to the
team's key in the reporter's software is filed by the app (in-process moto), and
`vdp reports show` decrypts it with the team member's own GnuPG; replies to a reporter's
key are stored encrypted to it, and their status page returns them armored."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pysequoia
import pytest
from click.testing import CliRunner, Result

from tests.conftest import PROJECT_DIR
from tests.integration.helpers import submitted

TEAM_PUBLIC_KEY = PROJECT_DIR / "chalicelib" / "demo-team-key.asc"
TEAM_SECRET_KEY = PROJECT_DIR / "examples" / "demo-team-key" / "DEMO-ONLY-secret-key.asc"
TEAM_FINGERPRINT = "C37342B5B6634D710C2EF1335C22797AADCC6CAA"

TITLE = "Login endpoint accepts unlimited guesses"
# Mentions a class the example policy excludes (denial_of_service: "brute force"): the
# intake cannot see it through the encryption, the CLI flags it after decrypting.
DESCRIPTION = (
    "POST /login never locks an account: a brute force run found the admin password "
    "in an hour. Secret canary 5d1e-plaintext."
)
FILE_NAME = "capture 2026-11 (Zürich login).pcap"  # spaces and UTF-8: gpg escapes them
REPLY = "Thanks, we reproduced it; a fix ships next week. Reply canary 9b2f."


def gpg(home: Path, *arguments: str, data: bytes = b"") -> bytes:
    done = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--yes", *arguments],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout


def new_home(path: Path) -> Path:
    path.mkdir(mode=0o700)
    return path


def stop_agent(home: Path) -> None:
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)


@pytest.fixture
def team_home(tmp_path: Path) -> Iterator[Path]:
    """The team member's GnuPG home, holding the demo team key's secret half."""
    home = new_home(tmp_path / "team")
    gpg(home, "--import", str(TEAM_SECRET_KEY))
    yield home
    stop_agent(home)


@pytest.fixture
def reporter_side(tmp_path: Path) -> Path:
    """The reporter's software: the team's public key only (no secret key of the team)."""
    home = new_home(tmp_path / "reporter-public")
    gpg(home, "--import", str(TEAM_PUBLIC_KEY))
    return home


@pytest.fixture
def reporter_keys(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A reporter's own key pair: (their GnuPG home, their armored public key)."""
    home = new_home(tmp_path / "reporter")
    gpg(home, "--passphrase", "", "--quick-gen-key", "Reporter <reporter@example.org>",
        "default", "default", "never")  # fmt: skip
    public = gpg(home, "--armor", "--export", "reporter@example.org").decode()
    yield home, public
    stop_agent(home)


def to_team(reporter_side: Path, data: bytes, filename: str = "") -> str:
    """An armored message to the team's key, as the reporter's software makes it."""
    return gpg(
        reporter_side, "--trust-model", "always", "--armor", "--recipient", TEAM_FINGERPRINT,
        "--set-filename", filename, "--encrypt", data=data,
    ).decode()  # fmt: skip


def four_megabytes() -> bytes:
    """4 MB a capture might hold: half random, half repetitive (so its compressed, armored
    message fits the policy's 4 MiB attachment limit, which counts the armored size)."""
    noise = secrets.token_bytes(2_000_000)
    lines = b"".join(b"%08d GET /login 401\n" % n for n in range(2_000_000 // 22 + 1))
    return noise + lines[:2_000_000]


def submit(body: dict[str, Any]) -> dict[str, Any]:
    return submitted(body)


def status_page(accepted: dict[str, Any]) -> dict[str, Any]:
    """What the reporter's status page reads: GET /reports/{id} with the receipt."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        answer = client.http.get(
            f"/reports/{accepted['report_id']}",
            headers={"Authorization": f"Bearer {accepted['receipt']}"},
        )
    assert answer.status_code == 200, answer.body
    view: dict[str, Any] = json.loads(answer.body)
    return view


def vdp(*arguments: str) -> Result:
    """The team's CLI, in-process, against the `aws` fixture's moto (not --local)."""
    from vdp.cli.main import main

    return CliRunner().invoke(main, list(arguments))


def team(*arguments: str) -> str:
    result = vdp(*arguments)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def encrypted_report(aws: Any, reporter_side: Path) -> tuple[str, bytes]:
    """A report whose description and one 4 MB file are encrypted to the team's key, as
    the form sends them: (report id, the file's bytes)."""
    capture = four_megabytes()
    file_message = to_team(reporter_side, capture, FILE_NAME)
    accepted = submit(
        {
            "title": TITLE,
            "description": to_team(reporter_side, DESCRIPTION.encode()),
            "product": "example-app",
            "policy_accepted": True,
            "attachments": [
                {
                    "filename": "1.pgp",
                    "content_type": "application/pgp-encrypted",
                    "data": base64.b64encode(file_message.encode()).decode(),
                }
            ],
        }
    )
    assert accepted["flags"] == ["encrypted"]  # no text flags: the intake cannot read it
    return accepted["report_id"], capture


def test_show_decrypts_the_description_and_the_file_with_the_team_members_gnupg(
    encrypted_report: tuple[str, bytes], team_home: Path, tmp_path: Path
) -> None:
    report_id, capture = encrypted_report
    folder = tmp_path / "files"

    shown = team(
        "reports", "show", report_id, "--gnupg-home", str(team_home),
        "--attachments-dir", str(folder),
    )  # fmt: skip

    assert "description (end-to-end encrypted, decrypted here by GnuPG):" in shown
    assert "  | " + DESCRIPTION in shown
    assert "BEGIN PGP MESSAGE" not in shown
    assert "flags from the decrypted text: possibly_out_of_scope:denial_of_service" in shown
    assert f"attachment: {FILE_NAME} (4000000 bytes; end-to-end encrypted" in shown
    (written,) = folder.iterdir()
    assert written.name == f"0-{FILE_NAME}"  # the name inside the message, not 1.pgp
    assert written.read_bytes() == capture


def test_show_as_json_carries_the_decrypted_parts_and_the_flags(
    encrypted_report: tuple[str, bytes], team_home: Path
) -> None:
    report_id, _ = encrypted_report

    document = json.loads(
        team("reports", "show", report_id, "--json", "--gnupg-home", str(team_home))
    )

    assert document["report"]["description"] == DESCRIPTION
    assert document["end_to_end"] == {
        "fields": {"description": "decrypted"},
        "problems": {},
        "flags_from_decrypted_text": ["possibly_out_of_scope:denial_of_service"],
    }
    (attachment,) = document["attachments"]
    assert attachment["filename"] == FILE_NAME and attachment["stored_as"] == "1.pgp"
    assert attachment["size"] == 4_000_000 and attachment["end_to_end"] == "decrypted"
    assert document["record"]["flags"] == ["encrypted"]  # the stored record is unchanged


def test_without_the_secret_key_one_line_says_so_and_the_report_is_shown_as_stored(
    encrypted_report: tuple[str, bytes], tmp_path: Path
) -> None:
    report_id, capture = encrypted_report
    empty = new_home(tmp_path / "no-keys")
    folder = tmp_path / "files"
    arguments = ["reports", "show", report_id, "--gnupg-home", str(empty)]

    result = vdp(*arguments, "--attachments-dir", str(folder))
    strict = vdp(*arguments, "--require-decryption")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "GnuPG could not decrypt description, attachment 1.pgp: no secret key; shown as stored"
    ]
    assert "Traceback" not in result.output
    assert "description (end-to-end encrypted, not decrypted: shown as stored):" in result.stdout
    assert "BEGIN PGP MESSAGE" in result.stdout and DESCRIPTION not in result.stdout
    assert "flags from the decrypted text" not in result.stdout
    (written,) = folder.iterdir()
    assert written.name == "0-1.pgp" and written.read_bytes() != capture
    assert strict.exit_code == 3 and "no secret key" in strict.stderr


def test_a_plain_report_needs_no_gnupg_and_a_missing_gnupg_is_one_line(
    encrypted_report: tuple[str, bytes], tmp_path: Path
) -> None:
    from vdp.cli.main import main

    plain = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True}
    )  # fmt: skip
    no_gpg = CliRunner(env={"PATH": str(tmp_path)})  # gpg cannot even be found

    shown = no_gpg.invoke(main, ["reports", "show", plain["report_id"]])
    encrypted = no_gpg.invoke(main, ["reports", "show", encrypted_report[0]])

    assert shown.exit_code == 0 and shown.stderr == "", shown.output
    assert "  | " + DESCRIPTION in shown.stdout and "end-to-end" not in shown.stdout
    assert "flags from the decrypted text" not in shown.stdout
    assert encrypted.exit_code == 0, encrypted.output
    assert encrypted.stderr.splitlines() == [
        "GnuPG could not decrypt description, attachment 1.pgp: "
        "GnuPG (gpg) is not installed or cannot run; shown as stored"
    ]


def test_a_file_name_inside_the_message_cannot_leave_the_folder(
    aws: Any, reporter_side: Path, team_home: Path, tmp_path: Path
) -> None:
    message = to_team(reporter_side, b"#!/bin/sh\n", "../../.profile")
    accepted = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True, "attachments": [{"filename": "1.pgp",
         "content_type": "application/pgp-encrypted",
         "data": base64.b64encode(message.encode()).decode()}]}
    )  # fmt: skip
    folder = tmp_path / "deep" / "files"

    team("reports", "show", accepted["report_id"], "--gnupg-home", str(team_home),
         "--attachments-dir", str(folder))  # fmt: skip

    assert [path.name for path in folder.iterdir()] == ["0-profile"]
    assert sorted(path.name for path in (tmp_path / "deep").iterdir()) == ["files"]


# --- The local stack's demo key -------------------------------------------------------


def test_local_decrypts_in_a_temporary_home_that_is_removed_afterwards(
    reporter_side: Path,
) -> None:
    from vdp.cli.reports.openpgp import MAX_TEXT_BYTES
    from vdp.cli.reports.own_gnupg import team_gnupg

    message = to_team(reporter_side, DESCRIPTION.encode(), "notes.txt").encode()

    with team_gnupg(local=True, home=None) as gnupg:
        home = gnupg.home
        assert home is not None and home.is_dir()
        assert oct(home.stat().st_mode & 0o777) == "0o700"
        listed = gpg(home, "--list-secret-keys", "--with-colons").decode()
        assert TEAM_FINGERPRINT in listed  # the demo key's secret half, imported
        plaintext = gnupg.decrypt(message, MAX_TEXT_BYTES)

    assert plaintext.data == DESCRIPTION.encode() and plaintext.filename == "notes.txt"
    assert not home.exists()


def test_without_local_the_users_own_gnupg_home_is_used(tmp_path: Path) -> None:
    from vdp.cli.reports.own_gnupg import team_gnupg

    with team_gnupg(local=False, home=None) as default:
        assert default.home is None  # gpg's own choice: GNUPGHOME or ~/.gnupg
    with team_gnupg(local=True, home=tmp_path) as named:
        assert named.home == tmp_path  # a named home wins, even with --local


def test_a_message_whose_plaintext_exceeds_the_limit_is_not_shown_cut(
    reporter_side: Path, team_home: Path
) -> None:
    from vdp.cli.reports.own_gnupg import CannotDecrypt, GnuPG

    # Repetitive text compresses well: a small message, a large plaintext.
    message = to_team(reporter_side, b"A" * 300_000).encode()
    gnupg = GnuPG(team_home)

    assert len(gnupg.decrypt(message, 300_000).data) == 300_000
    with pytest.raises(CannotDecrypt, match="over 100,000 bytes"):
        gnupg.decrypt(message, 100_000)


# --- Replies ---------------------------------------------------------------------------


def reporter_reads(home: Path, armored: str) -> str:
    return gpg(home, "--decrypt", data=armored.encode()).decode()


def test_a_reply_to_a_reporter_with_a_key_is_stored_encrypted_to_it(
    aws: Any, reporter_keys: tuple[Path, str], team_home: Path
) -> None:
    home, public_key = reporter_keys
    accepted = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True, "reporter": {"name": "Rae", "pgp_key": public_key}}
    )  # fmt: skip
    report_id = accepted["report_id"]

    said = team("reports", "reply", report_id, REPLY)
    team("reports", "ack", report_id, "--message", "Acknowledged; canary 41c7.")
    team("reports", "note", report_id, "Internal: the reporter is Rae.")

    assert said.strip().endswith("recorded, encrypted to the reporter's key")
    replies = [h["message"] for h in status_page(accepted)["history"] if h["type"] == "reply"]
    assert len(replies) == 2
    assert all(text.startswith("-----BEGIN PGP MESSAGE-----") for text in replies)
    assert REPLY not in json.dumps(replies)
    assert REPLY in reporter_reads(home, replies[0])
    assert "canary 41c7" in reporter_reads(home, replies[1])

    # The team cannot read its reply back; it says so. The note stays plain (KMS only).
    shown = team("reports", "show", report_id, "--gnupg-home", str(team_home))
    assert shown.count("; encrypted to the reporter's key):\n  | (only the reporter can") == 2
    assert REPLY not in shown and "BEGIN PGP MESSAGE" not in shown
    assert "  | Internal: the reporter is Rae." in shown
    document = json.loads(team("reports", "show", report_id, "--json"))
    states = [(m["kind"], m["end_to_end"]) for m in document["messages"]]
    assert states == [("reply", "reporter_key"), ("reply", "reporter_key"), ("note", None)]


def test_a_reply_to_a_reporter_without_a_key_stays_plain(aws: Any) -> None:
    accepted = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True, "reporter": {"email": "reporter@example.org"}}
    )  # fmt: skip

    said = team("reports", "reply", accepted["report_id"], REPLY)

    assert said.strip().endswith("recorded")
    history = status_page(accepted)["history"]
    assert [h["message"] for h in history if h["type"] == "reply"] == [REPLY]
    timeline = team("reports", "timeline", accepted["report_id"])
    assert "encrypted to the reporter's key" not in timeline


def test_a_reply_to_a_key_that_cannot_encrypt_is_stored_plain_with_a_warning(aws: Any) -> None:
    expired = pysequoia.Tsk.generate("Rae <rae@example.org>", validity_seconds=1)
    accepted = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True,
         "reporter": {"pgp_key": str(expired.extract_certificate())}}
    )  # fmt: skip
    report_id = accepted["report_id"]
    time.sleep(1.5)  # the key has expired since the report came in

    said = vdp("reports", "reply", report_id, REPLY)
    acked = vdp("reports", "ack", report_id, "--message", "We are on it.")

    warning = (
        f"warning: {report_id}: the reporter's OpenPGP key cannot encrypt (unreadable, "
        "expired or revoked); the reply is stored as written, under KMS only"
    )
    assert said.exit_code == 0 and said.stderr.splitlines() == [warning]
    assert said.stdout.strip().endswith("recorded")  # not "encrypted to the reporter's key"
    assert acked.exit_code == 0 and acked.stderr.splitlines() == [warning]
    replies = [h["message"] for h in status_page(accepted)["history"] if h["type"] == "reply"]
    assert replies == [REPLY, "We are on it."]


def test_status_reply_option_encrypts_like_reply(aws: Any, reporter_keys: tuple[Path, str]) -> None:
    home, public_key = reporter_keys
    accepted = submit(
        {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
         "policy_accepted": True, "reporter": {"pgp_key": public_key}}
    )  # fmt: skip

    team("reports", "status", accepted["report_id"], "acknowledged", "--reply", REPLY)

    (reply,) = [h["message"] for h in status_page(accepted)["history"] if h["type"] == "reply"]
    assert REPLY in reporter_reads(home, reply)
    timeline = team("reports", "timeline", accepted["report_id"])
    assert "encrypted to the reporter's key" in timeline
