"""What `vdp serve`'s servers say about their clients: at most a one-line note, never a
client's address, never a traceback.

Left alone, socketserver prints a failed request's client address and traceback on
stderr, http.server and werkzeug write an access line naming the address, and aiosmtpd
logs the peer at every step. A client causes all of these (a reset, a timeout, garbage),
and the stack promises that no address reaches its output, so each becomes a fixed note.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

SERVER_NAME = "vdp"  # the Server header and SMTP greeting: no product version, no Python's
NOTE_EVERY_SECONDS = 10.0  # a flood of resets makes one note, not a flood of lines


class Notes:
    """One-line notes on stderr, each text at most once every `every` seconds."""

    def __init__(self, every: float = NOTE_EVERY_SECONDS) -> None:
        self._every = every
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self.write: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)

    def say(self, text: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._next.get(text, 0.0):
                return
            self._next[text] = now + self._every
        self.write(f"[serve] {text}")


NOTES = Notes()


def failure_note(error: BaseException | None) -> str:
    """The note for a request that ended in `error`: its kind, never its text."""
    if isinstance(error, TimeoutError):
        return "a client went quiet; its connection was closed"
    if isinstance(error, ConnectionError):  # reset, broken pipe, aborted
        return "a client closed its connection early"
    return f"a request failed ({type(error).__name__}); its connection was closed"


class QuietServer:
    """socketserver mixin: a request that fails is a note, not an address and a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        NOTES.say(failure_note(sys.exc_info()[1]))


class QuietHandler:
    """http.server mixin: no access lines, and a Server header without versions."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass  # they carry the client's address; the app logs each request without it

    def version_string(self) -> str:
        return SERVER_NAME


class _MailNotes(logging.Handler):
    """aiosmtpd's log ("mail.log") as notes: its lines name the peer, its errors trace."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            NOTES.say("an SMTP session failed; it was closed")
        else:
            NOTES.say("an SMTP client sent a command the listener refused")


def quiet_mail_log() -> None:
    """aiosmtpd's warnings and errors become notes; its peer-naming info lines are dropped."""
    logger = logging.getLogger("mail.log")
    logger.handlers = [_MailNotes()]
    logger.setLevel(logging.WARNING)
    logger.propagate = False


def loop_failure(loop: Any, context: dict[str, Any]) -> None:
    """An asyncio loop's exception handler: a note instead of a traceback and a transport."""
    NOTES.say("a mail connection failed; it was closed")
