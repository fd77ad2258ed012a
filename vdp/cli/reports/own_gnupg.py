"""The team member's own GnuPG, through python-gnupg: it decrypts what a reporter
encrypted to the team's key.

The secret key, or the smartcard that holds it, never leaves GnuPG, and nothing here reads
one (a passphrase or PIN is asked for by GnuPG's own pinentry). The GnuPG home is the
user's (GNUPGHOME or ~/.gnupg) unless one is named. Only for the local stack (`vdp --local`)
does a throwaway home hold the demo key.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import gnupg

# The demo key's secret half, for the local stack only (its public half is the example
# policy's key): never used without --local.
DEMO_SECRET_KEY = (
    Path(__file__).resolve().parents[3] / "examples" / "demo-team-key" / "DEMO-ONLY-secret-key.asc"
)

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
