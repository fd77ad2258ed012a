"""Where a request body ends, for `vdp serve`: Content-Length or chunked, within a limit.

API Gateway delimits bodies itself on AWS; chalice local reads Content-Length only. A
body over the limit is never read: the caller hands its length to the app, which refuses
it by that length (http.check_size), so the 413 carries CORS headers like any error.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import BinaryIO

from chalicelib.errors import BadJson

_LINE = 65537  # longest chunk-size or trailer line read


class Undelimited(BadJson):
    """Where the body ends is unknown: answer once and close the connection."""


def read_body(rfile: BinaryIO, headers: Message, limit: int) -> tuple[int, bytes | None]:
    """The body's length and its bytes (None when empty, or over `limit` and left unread)."""
    if "transfer-encoding" in headers:
        return _chunked(rfile, headers, limit)
    length = _declared_length(headers)
    if length > limit or not length:
        return length, None
    return length, rfile.read(length)


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
    chunks: list[bytes] = []
    length = 0
    while size := _chunk_size(rfile):
        length += size
        if length > limit:
            return length, None  # the rest is never read
        chunks.append(rfile.read(size))
        if rfile.readline(3) != b"\r\n":
            raise Undelimited("The chunked body is malformed.")
    while rfile.readline(_LINE) not in (b"\r\n", b"\n", b""):
        pass  # trailer fields: not passed on
    return length, b"".join(chunks)


def _chunk_size(rfile: BinaryIO) -> int:
    line = rfile.readline(_LINE).split(b";", 1)[0].strip()  # chunk extensions ignored
    if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", line):
        raise Undelimited("The chunked body is malformed.")
    return int(line, 16)
