"""What every port `vdp serve` opens tells a client about itself, and how long its HTTP
servers wait for a request's head."""

from __future__ import annotations

import http.client
import json
import re
import socket
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.httpclient import trickled_head
from vdp.local.api.gateway import GATEWAY_REFUSAL
from vdp.local.api.heads import HEAD_SECONDS

pytestmark = pytest.mark.e2e


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
