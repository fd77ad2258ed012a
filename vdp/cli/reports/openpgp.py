"""The team's side of end-to-end encryption: a report opened, part by part. KMS has
opened the stored part around each one; the team member's own GnuPG (own_gnupg.py) opens what
a reporter encrypted to the team's key, and the text flags are computed from the result."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.openpgp import ARMORED_MESSAGE, is_message
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.flags import ENCRYPTED, text_flags
from chalicelib.domain.report.models import PGP_ENCRYPTED
from chalicelib.usecases.team.inbox import AttachmentFile, DecryptedReport, DecryptedText
from vdp.cli.output import iso_time
from vdp.cli.reports.own_gnupg import CannotDecrypt, GnuPG, Plaintext

# The report fields the form encrypts (the title never is).
ENCRYPTED_FIELDS = ("description", "steps_to_reproduce", "impact")
# Plaintext GnuPG may produce for one part (a compressed message can expand a thousandfold):
# a text is shown on a terminal, a file is held in memory before it is written.
MAX_TEXT_BYTES = 1 << 20
MAX_FILE_BYTES = 256 << 20
# What became of a part that was end-to-end encrypted.
DECRYPTED = "decrypted"  # opened here by GnuPG
NOT_DECRYPTED = "not_decrypted"  # GnuPG could not open it: shown as stored
REPORTER_KEY = "reporter_key"  # a reply encrypted to the reporter: only they can read it


@dataclass(frozen=True)
class OpenedFile:
    filename: str
    content_type: str
    data: bytes
    end_to_end: str | None = None  # DECRYPTED or NOT_DECRYPTED; None: never encrypted
    stored_as: str | None = None  # the name it was stored under, when it was encrypted


@dataclass(frozen=True)
class OpenedText:
    message: DecryptedText
    text: str
    end_to_end: str | None = None  # DECRYPTED, NOT_DECRYPTED or REPORTER_KEY


@dataclass
class OpenedReport:
    content: dict[str, Any]
    attachments: list[OpenedFile]
    messages: list[OpenedText]
    fields: dict[str, str] = field(default_factory=dict)  # end-to-end encrypted field: state
    problems: dict[str, str] = field(default_factory=dict)  # part: why GnuPG did not open it
    # The policy's flags from the decrypted text (None: nothing to compute them from).
    text_flags: list[str] | None = None

    @property
    def undecrypted(self) -> bool:
        return bool(self.problems)


def is_encrypted_file(item: AttachmentFile) -> bool:
    """As the intake decides: the form's type, or an armored message under any type."""
    return item.content_type == PGP_ENCRYPTED or item.data.lstrip()[:27] == ARMORED_MESSAGE.encode()


def needs_gnupg(report: DecryptedReport) -> bool:
    """Whether anything GnuPG could open is in the report (a reply to the reporter's key
    is not: only the reporter can open that)."""
    return (
        any(_armored(report.content.get(name)) for name in ENCRYPTED_FIELDS)
        or any(is_encrypted_file(item) for item in report.attachments)
        or any(m.kind != "reply" and is_message(m.text) for m in report.messages)
    )


def open_report(report: DecryptedReport, gpg: GnuPG | None, policy: Policy) -> OpenedReport:
    """The report with its end-to-end encrypted parts decrypted where GnuPG can, and the
    policy's text flags computed from the decrypted text (the intake could not)."""
    opened = OpenedReport(dict(report.content), [], [])
    for name in ENCRYPTED_FIELDS:
        value = report.content.get(name)
        if _armored(value):
            opened.content[name] = _open_text(opened, name, str(value), gpg)
    opened.attachments = [_open_file(opened, item, gpg) for item in report.attachments]
    opened.messages = [_open_message(opened, m, gpg) for m in report.messages]
    # The intake sets no text flags on a report with anything encrypted: they are set here,
    # from the same text (title and description), once the description can be read.
    if ENCRYPTED in report.record.flags and opened.fields.get("description") != NOT_DECRYPTED:
        text = f"{opened.content.get('title', '')}\n{opened.content.get('description', '')}"
        opened.text_flags = text_flags(text, policy)
    return opened


def _armored(value: object) -> bool:
    return isinstance(value, str) and is_message(value)


def _open_text(opened: OpenedReport, name: str, armored: str, gpg: GnuPG | None) -> str:
    try:
        plain = _decrypt(gpg, armored.encode(), MAX_TEXT_BYTES)
    except CannotDecrypt as exc:
        opened.fields[name] = NOT_DECRYPTED
        opened.problems[name] = str(exc)
        return armored
    opened.fields[name] = DECRYPTED
    return _text(plain.data)


def _open_file(opened: OpenedReport, item: AttachmentFile, gpg: GnuPG | None) -> OpenedFile:
    if not is_encrypted_file(item):
        return OpenedFile(item.filename, item.content_type, item.data)
    try:
        plain = _decrypt(gpg, item.data, MAX_FILE_BYTES)
    except CannotDecrypt as exc:
        opened.problems[f"attachment {item.filename}"] = str(exc)
        encrypted = (item.filename, item.content_type, item.data)
        return OpenedFile(*encrypted, end_to_end=NOT_DECRYPTED, stored_as=item.filename)
    name = plain.filename or _without_pgp_suffix(item.filename)
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"  # the name's, only
    return OpenedFile(name, kind, plain.data, end_to_end=DECRYPTED, stored_as=item.filename)


def _open_message(opened: OpenedReport, message: DecryptedText, gpg: GnuPG | None) -> OpenedText:
    if not is_message(message.text):
        return OpenedText(message, message.text)
    if message.kind == "reply":  # the team's reply, to the reporter's key
        return OpenedText(message, message.text, REPORTER_KEY)
    try:
        plain = _decrypt(gpg, message.text.encode(), MAX_TEXT_BYTES)
    except CannotDecrypt as exc:
        opened.problems[f"{message.kind} of {iso_time(message.at)}"] = str(exc)
        return OpenedText(message, message.text, NOT_DECRYPTED)
    return OpenedText(message, _text(plain.data), DECRYPTED)


def _decrypt(gpg: GnuPG | None, message: bytes, limit: int) -> Plaintext:
    if gpg is None:
        raise CannotDecrypt("GnuPG was not asked")
    return gpg.decrypt(message, limit)


def _text(data: bytes) -> str:
    """Decrypted text as shown: UTF-8 (a broken byte becomes U+FFFD), newlines as LF."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _without_pgp_suffix(name: str) -> str:
    """A name for a file whose message carries none: the stored name less .pgp/.gpg/.asc."""
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and stem and suffix.lower() in ("pgp", "gpg", "asc") else name
