"""What every port `vdp serve` opens tells a client about itself, and how long its HTTP
servers wait for a request's head."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Stack
from vdp.local.api.gateway import GATEWAY_REFUSAL
from vdp.local.api.heads import HEAD_SECONDS

pytestmark = pytest.mark.e2e


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


def server_names(url: str) -> list[str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", "/health")
        answer = connection.getresponse()
        answer.read()
        return answer.headers.get_all("Server") or []
    finally:
        connection.close()


def test_no_port_names_python_or_a_version(stack: Stack) -> None:
    names = {url: server_names(url) for url in (stack.api, stack.site, stack.aws)}
    with socket.create_connection(("127.0.0.1", stack.smtp), timeout=5) as raw:
        greeting = raw.recv(1024).decode()  # "220 <host name> <ident>"

    assert all(named for named in names.values()), names
    for value in [name for named in names.values() for name in named]:
        assert "Python" not in value and not re.search(r"\d", value), names
    ident = greeting.split(" ", 2)[2]
    assert greeting.startswith("220 ") and "Python" not in ident and not re.search(r"\d", ident)


@pytest.mark.parametrize("server", ["api", "site"])
def test_a_request_head_that_trickles_in_is_cut_off_at_the_deadline(
    stack: Stack, server: str
) -> None:
    received, closed_after = trickled_head(getattr(stack, server))

    head, _, body = received.partition(b"\r\n\r\n")
    assert HEAD_SECONDS - 0.5 < closed_after < HEAD_SECONDS + 2
    assert re.match(rb"HTTP/1\.[01] 408 ", head) and b"Connection: close" in head
    if server == "api":  # as every refusal of the gateway's: our shape and headers
        assert json.loads(body) == GATEWAY_REFUSAL and b"nosniff" in head
