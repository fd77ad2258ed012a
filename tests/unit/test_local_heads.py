"""The request head's deadline and size in `vdp serve`'s HTTP servers, on a tiny server with
a short deadline; bodies and idle connections keep the handler's own timeout."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vdp.local.api import heads
from vdp.local.api.quiet import Notes, QuietHandler, QuietServer

DEADLINE = 0.5


class Echo(heads.HeadLimits, QuietHandler, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # seconds of silence, mid-body or between requests

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:  # noqa: N802
        self._answer(b"ok")

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(QuietServer, ThreadingHTTPServer):
    pass


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    fresh = Notes()
    fresh.write = said.append
    monkeypatch.setattr(heads, "NOTES", fresh)
    return said


@pytest.fixture
def address(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    monkeypatch.setattr(heads, "HEAD_SECONDS", DEADLINE)
    monkeypatch.setattr(heads, "HEADER_BYTES", 2048)
    server = Server(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield "127.0.0.1", server.server_address[1]
    server.shutdown()
    server.server_close()


def send_slowly(address: tuple[str, int], pieces: list[bytes], pause: float) -> tuple[bytes, float]:
    """Each piece `pause` seconds after the last, until the server answers or closes; what
    came back, and when the connection closed."""
    with socket.create_connection(address, timeout=5) as raw:
        started = time.monotonic()
        for piece in pieces:
            raw.sendall(piece)
            if select.select([raw], [], [], pause)[0]:
                break  # the server answered, or closed
        received = b""
        with contextlib.suppress(TimeoutError):
            while chunk := raw.recv(65536):
                received += chunk
        return received, time.monotonic() - started


def answer(raw: socket.socket) -> bytes:
    """One answer of Echo's GET, or what came before the server closed."""
    received = b""
    while not received.endswith(b"ok") and (chunk := raw.recv(1024)):
        received += chunk
    return received


def test_a_head_that_trickles_in_is_cut_off_at_the_deadline_with_a_408(
    address: tuple[str, int], notes: list[str]
) -> None:
    lines = [b"GET / HTTP/1.1\r\n"] + [b"X-Line-%d: 1\r\n" % n for n in range(12)]

    received, closed_after = send_slowly(address, lines, 0.2)  # off the deadline's beat

    assert received.startswith(b"HTTP/1.1 408 ") and b"Connection: close" in received
    assert DEADLINE - 0.1 < closed_after < DEADLINE + 1.0  # the pieces alone take 2.6 s
    assert notes == [f"[serve] a request head took over {DEADLINE:g} s; its connection was closed"]


def test_a_slow_body_after_a_prompt_head_is_read_whole(address: tuple[str, int]) -> None:
    head = b"POST / HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\n"

    received, _ = send_slowly(address, [head, b"a", b"b", b"c", b"d"], 0.2)  # past it

    assert received.startswith(b"HTTP/1.1 200 ") and received.endswith(b"\r\n\r\nabcd")


def test_a_connection_may_idle_past_the_deadline_between_requests(
    address: tuple[str, int],
) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"

    with socket.create_connection(address, timeout=5) as raw:
        raw.sendall(request)
        first = answer(raw)
        time.sleep(DEADLINE + 0.5)
        raw.sendall(request)
        second = answer(raw)

    assert first.startswith(b"HTTP/1.1 200 ") and second.startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize(("lines", "status"), [(15, b"200"), (25, b"431")])
def test_the_header_lines_together_must_fit_the_budget(
    address: tuple[str, int], lines: int, status: bytes
) -> None:
    # Each line is short (100 bytes): 15 of them fit the budget (2 KB), 25 do not.
    head = b"GET / HTTP/1.1\r\n" + (b"X-Pad: " + b"a" * 91 + b"\r\n") * lines

    received, _ = send_slowly(address, [head + b"Connection: close\r\n\r\n"], 0)

    assert received.startswith(b"HTTP/1.1 " + status)
