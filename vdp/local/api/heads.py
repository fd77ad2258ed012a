"""A deadline and a size limit for a request's head (request line and headers), for
`vdp serve`'s HTTP servers.

http.server's timeout restarts with every read, so a client that sends a header line
every few seconds would hold its connection, and a thread, for as long as it likes. Here
the whole head must arrive within HEAD_SECONDS of its first byte, and its header lines
together within HEADER_BYTES. Past the deadline the client gets a 408 and the connection
closes. Bodies keep the handler's own timeout, which restarts with each read.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import socket
import time
from http import HTTPStatus
from typing import Any

from vdp.local.api.quiet import NOTES

HEAD_SECONDS = 10.0
# http.server allows 100 header lines of 64 KB each; together they get what one may have.
HEADER_BYTES = 64 * 1024


class _Deadline(io.RawIOBase):
    """The connection's reads; while a deadline runs, no read waits past it."""

    def __init__(self, raw: io.RawIOBase, connection: socket.socket) -> None:
        self._raw, self._connection = raw, connection
        self._idle = connection.gettimeout()  # the handler's own timeout, for every read
        self._until: float | None = None
        self.expired = False

    def start(self, seconds: float) -> None:
        self._until, self.expired = time.monotonic() + seconds, False

    def stop(self) -> None:
        if self._until is not None:
            self._until = None
            self._connection.settimeout(self._idle)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self._until is None:
            return self._raw.readinto(buffer)
        left = self._until - time.monotonic()
        cut = self._idle is None or left < self._idle  # the deadline, not the idle timeout
        if left <= 0:
            self.expired = True
            raise TimeoutError("the request head's deadline passed")
        self._connection.settimeout(left if cut else self._idle)
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            self.expired = cut
            raise

    def close(self) -> None:
        self._raw.close()
        super().close()


class _HeadReader(io.BufferedReader):
    """The handler's rfile: reads under a _Deadline, lines within a budget while one runs."""

    def __init__(self, raw: _Deadline) -> None:
        super().__init__(raw)
        self.clock = raw
        self._left: int | None = None

    def budget(self, size: int | None) -> None:
        self._left = size

    def readline(self, size: int | None = -1, /) -> bytes:
        if self._left is None:
            return super().readline(size)
        cap = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        line = super().readline(cap)
        self._left -= len(line)
        if self._left < 0:  # http.server answers 431, as for a header line too long
            raise http.client.LineTooLong("header section")
        return line


class HeadLimits:
    """http.server mixin: the head within HEAD_SECONDS of its first byte and HEADER_BYTES."""

    rfile: Any
    connection: socket.socket
    close_connection: bool

    def setup(self) -> None:
        super().setup()  # type: ignore[misc] # StreamRequestHandler's
        raw = self.rfile.detach()  # detached, not dropped: dropping it would close the socket
        self.rfile = self._head = _HeadReader(_Deadline(raw, self.connection))

    def handle_one_request(self) -> None:
        try:
            ended = not self._head.peek(1)  # the client closed between requests
        except (TimeoutError, ConnectionError):  # silent for the whole timeout, or reset
            ended = True  # an idle connection's ordinary end: nothing to note
        if ended:
            self.close_connection = True
            return
        self._head.clock.start(HEAD_SECONDS)
        try:
            super().handle_one_request()  # type: ignore[misc]
        finally:
            self._head.clock.stop()
        if self._head.clock.expired:
            self._too_late()

    def parse_request(self) -> bool:
        self._head.budget(HEADER_BYTES)
        try:
            return bool(super().parse_request())  # type: ignore[misc]
        finally:
            self._head.budget(None)
            self._head.clock.stop()  # the body has the handler's own timeout

    def _too_late(self) -> None:
        NOTES.say(f"a request head took over {HEAD_SECONDS:g} s; its connection was closed")
        self.close_connection = True
        # What parse_request would have set, had the request line arrived.
        self.command, self.request_version, self.requestline = "", "HTTP/1.1", ""
        with contextlib.suppress(OSError):
            self.send_error(HTTPStatus.REQUEST_TIMEOUT)  # type: ignore[attr-defined]
