"""A small real-HTTP client (http.client), so tests see exactly what went over the wire."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from vdp.local.api.heads import HEAD_SECONDS


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    method: str,
    url: str,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    source: str | None = None,
) -> Answer:
    """One request; `source` binds the client to another loopback address (127.0.0.2, ...)."""
    parts = urlsplit(url)
    bind = (source, 0) if source else None
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=30, source_address=bind
    )
    try:
        payload = body.encode() if isinstance(body, str) else body
        connection.request(method, parts.path or "/", body=payload, headers=headers or {})
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def post_json(
    url: str, value: Any, headers: dict[str, str] | None = None, source: str | None = None
) -> Answer:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return request("POST", url, json.dumps(value), all_headers, source)


def declared_only(url: str, content_length: int) -> Answer:
    """Send headers announcing a huge body and read the answer before sending any of it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(content_length))
        connection.endheaders()
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def trickled_head(url: str, source: str | None = None) -> tuple[bytes, float]:
    """A request head sent one header line a second, half a second off the deadline's
    beat; what came back, and how long after the first byte the server closed."""
    parts = urlsplit(url)
    bind = (source, 0) if source else None
    with socket.create_connection((parts.hostname, parts.port), 5, bind) as raw:
        started = time.monotonic()
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for line in range(int(HEAD_SECONDS) + 5):
            if select.select([raw], [], [], 0.5 if line == 0 else 1.0)[0]:
                break  # the server answered, or closed
            raw.sendall(b"X-Line-%d: still coming\r\n" % line)
        received = b""
        with contextlib.suppress(TimeoutError):  # no answer at all: the test says so
            while chunk := raw.recv(65536):
                received += chunk
        return received, time.monotonic() - started
