"""Where a request body ends, for `vdp serve`: Content-Length or chunked, within a limit.

API Gateway delimits bodies itself on AWS; chalice local reads Content-Length only. A
body over the limit is never read: the caller hands its length to the app, which refuses
it by that length (http.check_size), so the 413 carries CORS headers like any error.
"""

from __future__ import annotations

import re
from email.errors import FirstHeaderLineIsContinuationDefect, MissingHeaderBodySeparatorDefect
from email.message import Message
from typing import BinaryIO

from chalicelib.domain.errors import Undelimited

_LINE = 8192  # the longest chunk-size or trailer line accepted, end of line included
_OVERHEAD = 1024 * 1024  # chunk-size and trailer lines together, beside the body's limit
_LINE_DEFECTS = (MissingHeaderBodySeparatorDefect, FirstHeaderLineIsContinuationDefect)
_FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token


def read_body(
    rfile: BinaryIO, headers: Message, limit: int, version: str = "HTTP/1.1"
) -> tuple[int, bytes | None]:
    """The body's length and its bytes (None when empty, or over `limit` and left unread)."""
    dropped = any(isinstance(d, _LINE_DEFECTS) for d in headers.defects)
    if dropped or not all(_FIELD_NAME.fullmatch(name) for name in headers):
        # RFC 9112, 5.1: "Transfer-Encoding : chunked" (whitespace before the colon) must
        # be refused. Python's parser ends the header section at such a line (or drops a
        # first line that starts with a space), so the framing would pass unseen and the
        # chunks be read as the next request. Other defects are about bodies: a multipart
        # Content-Type has no parts in the headers.
        raise Undelimited("A header field is malformed.")
    try:
        if "transfer-encoding" in headers:
            if version != "HTTP/1.1":  # RFC 9112, 6.1: faulty framing before HTTP/1.1
                raise Undelimited("Transfer-Encoding needs HTTP/1.1.")
            return _chunked(rfile, headers, limit)
        length = _declared_length(headers)
        if length > limit or not length:
            return length, None
        return length, rfile.read(length)
    except TimeoutError:  # the socket's timeout: a client that stopped sending
        raise Undelimited("The request body stopped arriving.") from None


def _declared_length(headers: Message) -> int:
    """The one Content-Length, as digits."""
    values = {value.strip() for value in headers.get_all("content-length") or ["0"]}
    declared = values.pop()
    if values or not re.fullmatch(r"[0-9]{1,18}", declared):
        raise Undelimited("The Content-Length header is not a valid length.")
    return int(declared)


def _chunked(rfile: BinaryIO, headers: Message, limit: int) -> tuple[int, bytes | None]:
    """A chunked body (RFC 9112, 7.1), read whole unless it passes `limit`."""
    coding = [value.strip().lower() for value in headers.get_all("transfer-encoding") or []]
    if coding != ["chunked"] or "content-length" in headers:  # two framings: smuggling
        raise Undelimited("The body's Transfer-Encoding must be chunked, without Content-Length.")
    lines = _Lines(rfile)
    chunks: list[bytes] = []
    length = 0
    while size := _chunk_size(lines.next()):
        length += size
        if length > limit:
            return length, None  # the rest is never read
        chunks.append(rfile.read(size))
        if lines.next() != b"\r\n":
            raise Undelimited("The chunked body is malformed.")
    while lines.next() not in (b"\r\n", b"\n"):
        pass  # trailer fields: not passed on
    return length, b"".join(chunks) or None


class _Lines:
    """Framing lines, each whole and short, all of them within _OVERHEAD."""

    def __init__(self, rfile: BinaryIO) -> None:
        self._rfile, self._read = rfile, 0

    def next(self) -> bytes:
        line = self._rfile.readline(_LINE)
        self._read += len(line)
        if not line.endswith(b"\n") or self._read > _OVERHEAD:  # cut short, or endless
            raise Undelimited("The chunked body is malformed.")
        return line


def _chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip()  # chunk extensions ignored
    if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size):
        raise Undelimited("The chunked body is malformed.")
    return int(size, 16)
