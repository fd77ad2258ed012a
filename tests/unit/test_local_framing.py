"""Where `vdp serve` finds a request body's end: Content-Length or chunked, within a limit."""

import http.client
import io
from email.message import Message

import pytest

from chalicelib.domain.errors import Undelimited
from vdp.local.api.framing import read_body

LIMIT = 1000


def headers(**fields: str) -> Message:
    message = Message()
    for name, value in fields.items():
        message[name.replace("_", "-")] = value
    return message


def chunked(
    stream: bytes, limit: int = LIMIT, version: str = "HTTP/1.1"
) -> tuple[int, bytes | None]:
    return read_body(io.BytesIO(stream), headers(transfer_encoding="chunked"), limit, version)


def test_a_declared_length_is_read_exactly_and_what_follows_is_left() -> None:
    rfile = io.BytesIO(b"hello" + b"GET / HTTP/1.1\r\n")

    assert read_body(rfile, headers(content_length="5"), LIMIT) == (5, b"hello")
    assert rfile.read() == b"GET / HTTP/1.1\r\n"


def test_chunks_with_extensions_and_trailers_are_one_body_and_what_follows_is_left() -> None:
    rfile = io.BytesIO(b"3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\nNEXT")

    assert read_body(rfile, headers(transfer_encoding="chunked"), LIMIT) == (13, b"abc0123456789")
    assert rfile.read() == b"NEXT"


def test_an_empty_body_is_none_however_it_is_framed() -> None:
    assert read_body(io.BytesIO(b""), headers(), LIMIT) == (0, None)
    assert chunked(b"0\r\n\r\n") == (0, None)


def test_a_body_over_the_limit_is_left_unread() -> None:
    over = LIMIT + 1
    assert read_body(io.BytesIO(b"x" * over), headers(content_length=str(over)), LIMIT) == (
        over,
        None,
    )
    assert chunked(b"%x\r\n" % over) == (over, None)


@pytest.mark.parametrize(
    "stream",
    [
        b"zz\r\n{}\r\n0\r\n\r\n",  # not a size
        b"2\r\n{}}\r\n0\r\n\r\n",  # longer than its size
        b"2\r\n{}\r\n",  # ends before the last chunk
        b"2\r\n{",  # ends inside a chunk
        b"1;" + b"e" * 9000 + b"\r\nX\r\n0\r\n\r\n",  # a size line too long to be whole
        b"0\r\n" + b"T: " + b"t" * 9000 + b"\r\n\r\n",  # a trailer line too long to be whole
        b"0\r\n" + b"T: t\r\n" * 200_000 + b"\r\n",  # trailers without end
    ],
)
def test_a_chunked_body_that_cannot_be_delimited_is_refused(stream: bytes) -> None:
    with pytest.raises(Undelimited):
        chunked(stream)


@pytest.mark.parametrize(
    "fields",
    [
        {"content_length": "abc"},
        {"content_length": "-1"},
        {"transfer_encoding": "gzip"},
        {"transfer_encoding": "chunked, chunked"},
        {"transfer_encoding": "chunked", "content_length": "5"},
    ],
)
def test_any_other_framing_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(Undelimited):
        read_body(io.BytesIO(b"0\r\n\r\n"), headers(**fields), LIMIT)


@pytest.mark.parametrize(
    "head",
    [
        b"Transfer-Encoding : chunked\r\n",
        b"Content-Length\t: 2\r\n",
        b"A(B): c\r\n",
        b" Transfer-Encoding: chunked\r\n",  # a first line folded onto nothing
    ],
)
def test_a_field_name_with_whitespace_is_refused(head: bytes) -> None:
    # As http.server parses them: the header section ends at that line, Host included.
    parsed = http.client.parse_headers(io.BytesIO(head + b"Host: x\r\n\r\n"))

    with pytest.raises(Undelimited, match="header field"):
        read_body(io.BytesIO(b"2\r\n{}\r\n0\r\n\r\n"), parsed, LIMIT)


@pytest.mark.parametrize(
    "head",
    [
        b"X-Odd_Name.1~: v\r\nContent-Length: 2\r\n",
        # A browser's form post: the email parser notes a multipart type without parts.
        b"Content-Type: multipart/form-data; boundary=----WebKitFormBoundaryA\r\n"
        b"Content-Length: 2\r\n",
    ],
)
def test_ordinary_headers_pass(head: bytes) -> None:
    parsed = http.client.parse_headers(io.BytesIO(head + b"\r\n"))

    assert read_body(io.BytesIO(b"{}"), parsed, LIMIT) == (2, b"{}")


def test_chunked_before_http_1_1_is_refused() -> None:
    with pytest.raises(Undelimited):
        chunked(b"0\r\n\r\n", version="HTTP/1.0")


class Stalled(io.BytesIO):
    """A client that sent the start of its body, then nothing until the socket timed out."""

    def read(self, size: int | None = -1) -> bytes:
        raise TimeoutError

    readline = read


@pytest.mark.parametrize("fields", [{"content_length": "10"}, {"transfer_encoding": "chunked"}])
def test_a_body_that_stops_arriving_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(Undelimited, match="stopped arriving"):
        read_body(Stalled(), headers(**fields), LIMIT)
