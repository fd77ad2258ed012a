"""Mail samples and mail fakes shared by the tests: a plain mail to the security address,
a PGP/MIME one, a reporter's key, SES's event for a stored mail, and ports whose mailer,
mail log and encryptor are in-memory stand-ins."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from chalicelib.domain.errors import Unavailable
from chalicelib.usecases.mail.inbound import receive_ses_event
from chalicelib.usecases.ports import Ports
from tests.builders import SECRET
from tests.unit.fakes import fake_ports

BODY = "The export endpoint reads any file: GET /export?file=../../etc/passwd works."
ARMORED = (
    "-----BEGIN PGP MESSAGE-----\n\nhQEMA5Xk1pNtKb2vAQf/YmFzZTY0IHN0YW5kcyBpbiBmb3IgY2lwaGVy\n"
    "=Zm9v\n-----END PGP MESSAGE-----\n"
)
PUBLIC_KEY = (
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZkey0BYJKwYBBAHaRw8BAQdA\n"
    "-----END PGP PUBLIC KEY BLOCK-----\n"
)
PUBLIC_URL = "https://intake.example.com"
SECURITY = "security@example.com"
CANARY = "canary-7Q4Z"  # in every test mail's subject: never in a log line


# --- Mails --------------------------------------------------------------------------------


def mail(
    body: str | None = BODY,
    *,
    subject: str | None = "Path traversal in export",
    sender: str = "Ann Analyst <ann@example.org>",
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain mail to the security address."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "security@example.com"
    if subject is not None:
        message["Subject"] = subject
    message["Message-ID"] = "<original-1@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
    return message


def raw(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=SMTP)


def pgp_mime(armored: str = ARMORED) -> bytes:
    """A PGP/MIME mail (RFC 3156): a version part and the armored message."""
    return (
        b"From: ann@example.org\r\nTo: security@example.com\r\nSubject: Encrypted report\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; '
        b'boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
        b'--b1\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n'
        + armored.replace("\r\n", "\n").replace("\n", "\r\n").encode()
        + b"--b1--\r\n"
    )


def report_mail(**headers: str) -> bytes:
    return raw(mail(subject=f"Path traversal {CANARY}", headers=headers))


# --- Mail fakes ---------------------------------------------------------------------------


class FakeMailer:
    def __init__(self) -> None:
        self.fail = False  # SES unavailable
        self.error: Exception | None = None  # another failure, as the SES adapter raises it
        self.sent: list[tuple[str, str, bytes]] = []

    def send(self, sender: str, recipient: str, raw: bytes) -> str:
        if self.fail:
            raise Unavailable("ses")
        if self.error is not None:
            raise self.error
        self.sent.append((sender, recipient, raw))
        return f"ses-{len(self.sent)}"


class FakeMailLog:
    def __init__(self) -> None:
        self.claims: set[str] = set()
        self.suppressed_addresses: set[str] = set()

    def claim(self, event_id: str, now: datetime) -> bool:
        if event_id in self.claims:
            return False
        self.claims.add(event_id)
        return True

    def release(self, event_id: str) -> None:
        self.claims.discard(event_id)

    def suppress(self, address: str, reason: str) -> None:
        self.suppressed_addresses.add(address.lower())

    def suppressed(self, address: str) -> bool:
        return address.lower() in self.suppressed_addresses


class FakeEncryptor:
    """Armor around base64, so a test can read what was "encrypted"; a key with BROKEN
    in it cannot encrypt (as an expired or revoked key)."""

    def encrypt(self, armored_key: str, data: bytes) -> str:
        if "BROKEN" in armored_key:
            raise ValueError("the key cannot be used to encrypt")
        inner = base64.b64encode(data).decode()
        return f"-----BEGIN PGP MESSAGE-----\n\n{inner}\n-----END PGP MESSAGE-----\n"


def mail_ports() -> Ports:
    return dataclasses.replace(
        fake_ports(),
        mailer=FakeMailer(),
        mail_log=FakeMailLog(),
        encryptor=FakeEncryptor(),
        public_url=PUBLIC_URL,
        secret=lambda: SECRET,
    )


def sent(ports: Ports) -> list[tuple[str, str, bytes]]:
    assert isinstance(ports.mailer, FakeMailer)
    return ports.mailer.sent


# --- Mail arriving ------------------------------------------------------------------------


def ses_event(
    message_id: str, source: str, recipients: tuple[str, ...], **verdicts: str
) -> dict[str, Any]:
    """SES's event for a stored mail, every verdict PASS unless given."""
    status = {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS",
              **verdicts}  # fmt: skip
    receipt: dict[str, Any] = {f"{k}Verdict": {"status": v} for k, v in status.items()}
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "ses": {
                    "mail": {
                        "messageId": message_id,
                        "source": source,
                        "destination": list(recipients),
                        "commonHeaders": {"subject": "ignored"},
                    },
                    "receipt": {"recipients": list(recipients), **receipt},
                },
            }
        ]
    }


def arrive(
    ports: Ports,
    data: bytes,
    *,
    message_id: str = "m-0001",
    source: str = "ann@example.org",
    recipients: tuple[str, ...] = (SECURITY,),
    **verdicts: str,
) -> list[str]:
    """Store the mail as SES's S3 action does, then hand over SES's event."""
    ports.blobs.put_new(f"inbound/{message_id}", data)
    return receive_ses_event(ses_event(message_id, source, recipients, **verdicts), ports)


def only_report(ports: Ports) -> str:
    [report_id] = ports.reports.records
    return str(report_id)
