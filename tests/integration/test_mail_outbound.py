"""Mail to reporters, end to end below HTTP: the app's intake and the team's CLI write,
the table's stream is pumped into the publisher, and moto's SES keeps what was sent."""

from __future__ import annotations

import email
import json
import os
import subprocess
from datetime import date
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from chalicelib import bootstrap
from tests.conftest import boto
from tests.integration.helpers import sent, submitted, team

TITLE = "Stored XSS in profile names"
DESCRIPTION = "The display name is rendered unescaped on the team page: <script>x()</script>."
REPLY = "Thanks, we reproduced it and are working on a fix."
MONATE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember")  # fmt: skip


def submit(**reporter: Any) -> dict[str, Any]:
    body = {
        "title": TITLE,
        "description": DESCRIPTION,
        "product": "example-app",
        "policy_accepted": True,
        **({"reporter": reporter} if reporter else {}),
    }
    return submitted(body)


def submit_in(accept_language: str, **reporter: Any) -> dict[str, Any]:
    """POST /reports from a browser that prefers `accept_language`: the 201 body."""
    from chalice.test import Client

    from app import app
    from tests.conftest import PROJECT_DIR

    body = {"title": TITLE, "description": DESCRIPTION, "product": "example-app",
            "policy_accepted": True, "reporter": reporter}  # fmt: skip
    headers = {"Content-Type": "application/json", "Accept-Language": accept_language}
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        answer = client.http.post("/reports", body=json.dumps(body), headers=headers)
    assert answer.status_code == 201, answer.body
    accepted: dict[str, Any] = json.loads(answer.body)
    return accepted


def gpg_decrypt(armored: str, env: dict[str, str]) -> str:
    return subprocess.run(
        ["gpg", "--batch", "--decrypt"], input=armored, env=env, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip


def armored_block(text: str) -> str:
    """The first armored OpenPGP message inside a text."""
    begin, end = "-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----"
    block = text[text.index(begin) :]
    return block[: block.index(end) + len(end)]


def parsed(message: Any) -> Message:
    return email.message_from_string(message.raw_data)


@pytest.fixture(autouse=True)
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the reporter's pages live, as the template tells the publisher."""
    monkeypatch.setenv("VDP_PUBLIC_URL", "https://vdp.example.com")


@pytest.fixture
def gnupg(tmp_path: Path) -> tuple[dict[str, str], str]:
    """A reporter's own GnuPG home with a fresh key pair: (environment, armored public key)."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    run = ["gpg", "--batch", "--passphrase", "", "--quick-gen-key"]
    subprocess.run([*run, "Reporter <reporter@example.org>", "default", "default", "never"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    exported = subprocess.run(
        ["gpg", "--armor", "--export", "reporter@example.org"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return env, exported.stdout


def test_a_received_report_is_mailed_plain_without_content_or_receipt(outbox: Any) -> None:
    accepted = submit(email="reporter@example.org")

    assert outbox.pump() == []

    (mail,) = sent()
    message = parsed(mail)
    text = message.get_payload(decode=True).decode()
    assert "reporter@example.org" in mail.destinations[0]
    assert accepted["report_id"] in message["Subject"]
    promised = date.fromisoformat(accepted["acknowledge_by"])  # the next date promised
    assert f"We will acknowledge it by {promised:%B} {promised.day}, {promised.year}." in text
    assert message["Content-Language"] == "en"
    assert f"https://vdp.example.com/status#{accepted['report_id']}" in text
    assert accepted["receipt"] not in mail.raw_data
    assert TITLE not in mail.raw_data and "script" not in mail.raw_data
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(
        f"<https://vdp.example.com/unsubscribe?report={accepted['report_id']}&token="
    )
    assert message["Reply-To"] == f"security+{accepted['report_id']}@example.com"


def test_no_mail_without_consent_or_address(outbox: Any) -> None:
    submit(email="reporter@example.org", email_updates=False)
    submit(name="Anna")
    submit()

    assert outbox.pump() == []
    assert sent() == []


def test_with_a_key_the_mail_is_pgp_mime_and_carries_the_receipt(
    outbox: Any, gnupg: tuple[dict[str, str], str]
) -> None:
    env, public_key = gnupg
    accepted = submit(email="reporter@example.org", pgp_key=public_key)
    outbox.pump()

    (mail,) = sent()
    message = parsed(mail)
    control, body = message.get_payload()
    decrypted = subprocess.run(
        ["gpg", "--batch", "--decrypt"], input=body.get_payload(), env=env,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    assert message.get_content_type() == "multipart/encrypted"
    assert control.get_content_type() == "application/pgp-encrypted"
    assert accepted["receipt"] not in mail.raw_data  # only inside the encrypted part
    # Sealed to the reporter's key at intake: the mailer embeds it without ever seeing it.
    assert accepted["receipt"] not in decrypted
    sealed = gpg_decrypt(armored_block(decrypted), env)
    assert f"/status#{accepted['report_id']}.{accepted['receipt']}" in sealed


def test_a_team_reply_through_the_cli_mails_the_reporter_once(
    outbox: Any, gnupg: tuple[dict[str, str], str]
) -> None:
    env, public_key = gnupg
    report_id = submit(email="reporter@example.org", pgp_key=public_key)["report_id"]
    outbox.pump()
    before = len(sent())

    team("reports", "reply", report_id, REPLY)
    outbox.pump()
    outbox.pump()  # nothing new: nothing more

    replies = sent()[before:]
    assert len(replies) == 1
    body = parsed(replies[0]).get_payload()[1].get_payload()
    mail_text = gpg_decrypt(body, env)
    # The reply was stored encrypted to the reporter's key: inside the mail, as a block.
    assert REPLY in gpg_decrypt(armored_block(mail_text), env)  # to the reporter's key only
    assert REPLY not in replies[0].raw_data and REPLY not in mail_text


def test_a_plain_reply_mail_never_carries_the_reply_text(outbox: Any) -> None:
    report_id = submit(email="reporter@example.org")["report_id"]
    team("reports", "ack", report_id, "--message", REPLY)
    outbox.pump()

    mails = sent()
    subjects = [parsed(mail)["Subject"] for mail in mails]
    assert len(mails) == 3, subjects  # received, acknowledged, replied
    assert all(REPLY not in mail.raw_data for mail in mails)
    assert any("acknowledged" in subject for subject in subjects)


def test_ses_down_then_back_sends_each_mail_exactly_once(outbox: Any) -> None:
    from tests.faults.injection import injected

    report_id = submit(email="reporter@example.org")["report_id"]
    with injected("sesv2", "connect_timeout") as fault:
        assert outbox.pump() != []  # the record is handed over again later
    assert fault.attempts >= 1
    assert sent() == []

    assert outbox.pump() == []
    assert outbox.pump() == []
    mails = sent()
    assert len(mails) == 1 and report_id in parsed(mails[0])["Subject"]


def test_a_retried_record_is_not_mailed_twice(outbox: Any) -> None:
    import app

    submit(email="reporter@example.org")
    records = outbox.records()

    app.publish_events({"Records": records}, None)
    app.publish_events({"Records": records}, None)  # the same batch, handed over again

    assert len(sent()) == 1


def test_unsubscribed_and_bounced_addresses_get_nothing_more(outbox: Any) -> None:
    from chalicelib.domain.unsubscribe import unsubscribe_token
    from chalicelib.usecases.mail.consent import record_feedback, unsubscribe

    first = submit(email="reporter@example.org")["report_id"]
    second = submit(email="bounces@example.org")["report_id"]
    outbox.pump()
    assert len(sent()) == 2
    ports = bootstrap.ports()
    unsubscribe(first, unsubscribe_token(ports.secret(), first), ports)
    record_feedback(
        {"notificationType": "Bounce", "bounce": {"bounceType": "Permanent",
         "bouncedRecipients": [{"emailAddress": "bounces@example.org"}]}}, ports,
    )  # fmt: skip

    team("reports", "ack", first)
    team("reports", "ack", second)
    outbox.pump()

    assert len(sent()) == 2
    stored = boto("dynamodb").scan(TableName="vdp-local")["Items"]
    assert not any("bounces@example.org" in json.dumps(item) for item in stored)


def test_a_report_sent_from_a_german_page_is_mailed_in_german(outbox: Any) -> None:
    accepted = submit_in("de-DE,de;q=0.9,en;q=0.5", email="reporter@example.org")
    report_id = accepted["report_id"]
    team("reports", "ack", report_id, "--message", REPLY)
    outbox.pump()

    read = (email.message_from_string(mail.raw_data, policy=default) for mail in sent())
    mails = {str(message["Subject"]): message for message in read}
    assert set(mails) == {
        f"[{report_id}] Ihre Meldung ist eingegangen",
        f"[{report_id}] Der Eingang Ihrer Meldung wurde bestätigt",
        f"[{report_id}] Das Sicherheitsteam hat geantwortet",
    }
    assert {message["Content-Language"] for message in mails.values()} == {"de"}
    assert all(mail.raw_data.isascii() for mail in sent())  # 7-bit clean on every relay
    received = mails[f"[{report_id}] Ihre Meldung ist eingegangen"]
    text = str(received.get_content())
    promised = date.fromisoformat(accepted["acknowledge_by"])
    german = f"{promised.day}. {MONATE[promised.month - 1]} {promised.year}"
    assert f"Bis zum {german} erhalten Sie unsere Eingangsbestätigung." in text
    assert "Wir haben Ihre Schwachstellenmeldung erhalten. Vielen Dank." in text
    assert "E-Mails zu dieser Meldung abbestellen: https://vdp.example.com/unsubscribe" in text
    replied = mails[f"[{report_id}] Das Sicherheitsteam hat geantwortet"]
    assert "Das Sicherheitsteam hat auf Ihre Meldung geantwortet." in replied.get_content()
