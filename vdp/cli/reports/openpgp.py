"""The team's side of end-to-end encryption: the team member's own GnuPG opens what a
reporter encrypted to the team's key, after KMS has opened the stored part around it.

GnuPG decrypts, through python-gnupg: the secret key, or the smartcard that holds it, never
leaves GnuPG, and nothing here reads one (a passphrase or PIN is asked for by GnuPG's own
pinentry). The GnuPG home is the user's (GNUPGHOME or ~/.gnupg) unless one is named. Only
for the local stack (`vdp --local`) does a throwaway home hold the demo key.
"""

from __future__ import annotations

import logging
import mimetypes
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import gnupg

from chalicelib.domain.openpgp import ARMORED_MESSAGE, is_message
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.flags import ENCRYPTED, text_flags
from chalicelib.domain.report.models import PGP_ENCRYPTED
from chalicelib.usecases.team.inbox import AttachmentFile, DecryptedReport, DecryptedText
from vdp.cli.output import iso_time

# The report fields the form encrypts (the title never is).
ENCRYPTED_FIELDS = ("description", "steps_to_reproduce", "impact")
# Plaintext GnuPG may produce for one part (a compressed message can expand a thousandfold):
# a text is shown on a terminal, a file is held in memory before it is written.
MAX_TEXT_BYTES = 1 << 20
MAX_FILE_BYTES = 256 << 20
# The demo key's secret half, for the local stack only (its public half is the example
# policy's key): never used without --local.
DEMO_SECRET_KEY = (
    Path(__file__).resolve().parents[3] / "examples" / "demo-team-key" / "DEMO-ONLY-secret-key.asc"
)

# What became of a part that was end-to-end encrypted.
DECRYPTED = "decrypted"  # opened here by GnuPG
NOT_DECRYPTED = "not_decrypted"  # GnuPG could not open it: shown as stored
REPORTER_KEY = "reporter_key"  # a reply encrypted to the reporter: only they can read it

# python-gnupg logs gpg's warnings, and a missing gpg with a traceback: the CLI says why
# in one line of its own instead.
logging.getLogger("gnupg").addHandler(logging.NullHandler())
logging.getLogger("gnupg").propagate = False


class CannotDecrypt(Exception):
    """GnuPG did not open a message; the text says why, in a few words."""


@dataclass(frozen=True)
class Plaintext:
    data: bytes
    filename: str  # the literal data's file name ("" when the sender set none)


class _Decryption(gnupg.Crypt):  # type: ignore[misc]  # python-gnupg has no type hints
    """python-gnupg's result, plus the file name gpg reports in its PLAINTEXT status line."""

    def __init__(self, gpg: Any) -> None:
        super().__init__(gpg)
        self.literal_filename = ""

    def handle_status(self, key: str, value: str) -> None:
        if key == "PLAINTEXT":  # <format> <timestamp> <percent-escaped file name>
            escaped = value.split(" ", 2)[2] if value.count(" ") >= 2 else ""
            # Status lines reach python-gnupg as Latin-1: its bytes are gpg's, 1:1.
            raw = unquote_to_bytes(escaped.encode("latin-1", errors="replace"))
            name = raw.decode("utf-8", errors="replace")
            self.literal_filename = "" if name == "_CONSOLE" else name
        super().handle_status(key, value)


class _GPG(gnupg.GPG):  # type: ignore[misc]
    result_map = {**gnupg.GPG.result_map, "crypt": _Decryption}


class GnuPG:
    """The team member's GnuPG; `home` None is gpg's own choice (GNUPGHOME or ~/.gnupg).

    gpg starts on the first message, so a report with nothing end-to-end encrypted never
    needs it. `problem` set: every message fails with it (a home that could not be made)."""

    def __init__(self, home: Path | None = None, problem: str | None = None) -> None:
        self.home = home
        self.problem = problem
        self._gpg: Any = None

    def _started(self) -> Any:
        if self.problem:
            raise CannotDecrypt(self.problem)
        if self._gpg is None:
            try:
                self._gpg = _GPG(
                    gnupghome=str(self.home) if self.home else None, encoding="latin-1"
                )
            except (OSError, ValueError):
                self.problem = "GnuPG (gpg) is not installed or cannot run"
                raise CannotDecrypt(self.problem) from None
        return self._gpg

    def decrypt(self, message: bytes, limit: int) -> Plaintext:
        """The plaintext, or CannotDecrypt. A signature is not checked (--skip-verify): a
        signer's key the team does not hold must not keep a report from being read."""
        result = self._started().decrypt(
            message, extra_args=["--skip-verify", "--max-output", str(limit)]
        )
        if not result.ok:
            raise CannotDecrypt(str(result.status or "GnuPG could not decrypt it"))
        if result.returncode != 0:  # decrypted, but the output was cut (--max-output)
            raise CannotDecrypt(f"its plaintext is over {limit:,} bytes, or it is damaged")
        return Plaintext(bytes(result.data), result.literal_filename)

    def import_key_file(self, path: Path) -> None:
        """Only for the demo home: gpg imports the key file (no key is read here)."""
        imported = self._started().import_keys_file(str(path))
        if not imported.sec_imported:
            raise CannotDecrypt(f"GnuPG did not import {path.name}")


@contextmanager
def demo_home(secret_key: Path = DEMO_SECRET_KEY) -> Iterator[GnuPG]:
    """A throwaway GnuPG home holding the demo key (`vdp --local` only): made, the demo
    secret key imported, and removed afterwards with the agent gpg started for it."""
    home = Path(tempfile.mkdtemp(prefix="vdp-demo-gnupg-"))  # mode 0700
    try:
        gnupg_home = GnuPG(home)
        if not secret_key.is_file():
            gnupg_home.problem = f"the demo key is not here: {secret_key}"
        else:
            try:
                gnupg_home.import_key_file(secret_key)
            except CannotDecrypt as exc:
                gnupg_home.problem = str(exc)
        yield gnupg_home
    finally:
        _stop_agent(home)
        shutil.rmtree(home, ignore_errors=True)


def _stop_agent(home: Path) -> None:
    for command in ("--kill", "gpg-agent"), ("--remove-socketdir",):
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, our own temporary folder
                ["gpgconf", "--homedir", str(home), *command],  # noqa: S607 - gpg's own tool
                capture_output=True,
                check=False,
                timeout=10,
            )
        except (OSError, subprocess.SubprocessError):
            return  # no gpgconf (or it hung): the folder goes anyway


@contextmanager
def team_gnupg(local: bool, home: Path | None) -> Iterator[GnuPG]:
    """A named home; else with --local the demo home; else the user's own GnuPG."""
    if home is not None or not local:
        yield GnuPG(home)
        return
    with demo_home() as gnupg_home:
        yield gnupg_home


# --- A report, opened ----------------------------------------------------------------


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
