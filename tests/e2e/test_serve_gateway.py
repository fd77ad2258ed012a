"""`vdp serve` where API Gateway answers on AWS: odd methods, bodies and headers over raw HTTP.

Every answer carries our headers, leaves the connection usable (or closes it), and no link
the API hands out names a host the client chose.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Stack, start_stack, stop_stack
from tests.e2e.httpclient import Answer, post_json, request
from vdp.local.api.gateway import GATEWAY_REFUSAL

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
)
SEVEN_MEGABYTES = 7 * 1024 * 1024
REPORT = {
    "title": "Stored XSS in the profile page",
    "description": "The display name is rendered without escaping on /profile.",
    "product": "example-app",
    "policy_accepted": True,
}


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    # VDP_PUBLIC_URL unset, as for a new user; an empty value counts as unset.
    running = start_stack({"VDP_PUBLIC_URL": ""})
    yield running
    if running.process.poll() is None:
        stop_stack(running)


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)


def answer_of(connection: http.client.HTTPConnection) -> Answer:
    response = connection.getresponse()
    headers = {k.lower(): v for k, v in response.getheaders()}
    return Answer(response.status, headers, response.read())


def raw_exchange(url: str, data: bytes) -> bytes:
    """Send bytes as they are; everything the server writes until it closes (or goes quiet)."""
    parts = urlsplit(url)
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as raw:
        raw.sendall(data)
        try:
            while chunk := raw.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


def declared_only(url: str, headers: dict[str, str]) -> Answer:
    """Announce a 7 MB body and read the answer before sending any of it."""
    connection = connect(url)
    try:
        connection.putrequest("POST", urlsplit(url).path)
        for name, value in {**headers, "Content-Length": str(SEVEN_MEGABYTES)}.items():
            connection.putheader(name, value)
        connection.endheaders()
        return answer_of(connection)
    finally:
        connection.close()


def assert_ours(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status
    assert answer.json()["error"]["code"] == code
    assert all(name in answer.headers for name in SECURITY_HEADERS)


def test_a_body_sent_to_an_unknown_route_gets_our_404_at_once(stack: Stack) -> None:
    connection = connect(stack.api)
    try:
        connection.request("POST", "/nope", body=b"abc")
        missing = answer_of(connection)
        connection.request("GET", "/health")  # the same connection stays usable
        health = answer_of(connection)
    finally:
        connection.close()

    assert_ours(missing, 404, "not_found")
    assert health.status == 200


@pytest.mark.parametrize(
    "lengths",
    ["Content-Length: abc", "Content-Length: -1", "Content-Length: 1\r\nContent-Length: 40"],
)
def test_a_malformed_content_length_is_one_400_and_the_connection_closes(
    stack: Stack, lengths: str
) -> None:
    # Where the body ends is unknown: what follows must never be taken as a request.
    smuggled = b"GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
    head = "POST /reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    data = f"{head}{lengths}\r\n\r\n".encode() + smuggled

    received = raw_exchange(stack.api, data)

    assert received.count(b"HTTP/1.1 ") == 1
    assert received.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in received
    assert b'"code":"bad_json"' in received and b"nosniff" in received


def test_a_percent_encoded_report_id_is_decoded_as_api_gateway_decodes_it(stack: Stack) -> None:
    accepted = post_json(f"{stack.api}/reports", REPORT).json()
    encoded = "".join(f"%{ord(char):02X}" for char in accepted["report_id"])

    answer = request(
        "GET",
        f"{stack.api}/reports/{encoded}",
        headers={"Authorization": f"Bearer {accepted['receipt']}"},
    )

    assert answer.status == 200
    assert answer.json()["report_id"] == accepted["report_id"]


def chunked(body: bytes, sizes: list[int]) -> bytes:
    """`body` in chunks of the given sizes (the last one takes the rest), then the end."""
    pieces, rest = [], body
    for size in [*sizes, len(body)]:
        piece, rest = rest[:size], rest[size:]
        if piece:
            pieces.append(b"%x;note=x\r\n%s\r\n" % (len(piece), piece))
    return b"".join(pieces) + b"0\r\n\r\n"


def test_a_chunked_report_is_received_whole_and_the_connection_stays_usable(
    stack: Stack,
) -> None:
    # As curl sends a body from a pipe, and as API Gateway accepts it.
    body = json.dumps(REPORT).encode()
    head = "POST /reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += "Transfer-Encoding: chunked\r\n\r\n"
    then = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    received = raw_exchange(stack.api, head.encode() + chunked(body, [7, 30]) + then.encode())

    first, _, rest = received.partition(b"HTTP/1.1 200 ")
    assert first.startswith(b"HTTP/1.1 201 ") and b'"status":"received"' in first
    assert rest  # the health answer followed on the same connection


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        ("Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n"),  # not a size
        ("Transfer-Encoding: chunked", b"2\r\n{}}\r\n0\r\n\r\n"),  # longer than said
        ("Transfer-Encoding: gzip", b""),
        ("Transfer-Encoding: chunked\r\nContent-Length: 5", b"0\r\n\r\n"),  # both framings
        ("Transfer-Encoding : chunked", b"2\r\n{}\r\n0\r\n\r\n"),  # space before the colon
    ],
)
def test_a_body_framed_in_any_other_way_is_one_400_and_the_connection_closes(
    stack: Stack, framing: str, body: bytes
) -> None:
    smuggled = b"GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
    head = f"POST /reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{framing}"

    received = raw_exchange(stack.api, f"{head}\r\n\r\n".encode() + body + smuggled)

    assert received.count(b"HTTP/1.1 ") == 1
    assert received.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in received
    assert b'"code":"bad_json"' in received and b"nosniff" in received


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"GET /reports/a <b>x</b> HTTP/1.1\r\nHost: x\r\n", 400),  # a space in the path
        (b"GET /health HTTP/1.1\r\nX-Big: " + b"<b>" * 25_000 + b"\r\n", 431),
        (b"GET /health HTTP/1.1\r\n" + b"X-<b>: 1\r\n" * 101, 431),
        # 40 lines of 2 KB: each within http.server's limit, together past the head's 64 KB
        (b"GET /health HTTP/1.1\r\n" + (b"X-<b>: " + b"a" * 2000 + b"\r\n") * 40, 431),
        (b"GET /<b>" + b"a" * 70_000 + b" HTTP/1.1\r\n", 414),
        (b"GET /health HTTP/2.0\r\n", 505),
        (b"POST /<b>\r\n", 400),  # an HTTP/0.9 line: answered with a status line all the same
    ],
    ids=[
        "request line",
        "long header",
        "many headers",
        "header section",
        "long path",
        "version",
        "HTTP/0.9",
    ],
)
def test_requests_http_server_cannot_parse_get_our_answer_without_a_quote(
    stack: Stack, request_head: bytes, status: int
) -> None:
    received = raw_exchange(stack.api, request_head + b"\r\n")

    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status) and b"Connection: close" in head
    assert b"nosniff" in head and b"Content-Type: application/json" in head
    assert json.loads(body) == GATEWAY_REFUSAL
    assert b"<b>" not in received


def test_a_chunked_body_over_the_limit_is_refused_before_it_is_read(stack: Stack) -> None:
    # One chunk announces 7 MB; none of it is sent, and the answer comes anyway.
    head = "POST /reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += f"Origin: {stack.site}\r\nTransfer-Encoding: chunked\r\n\r\n"

    received = raw_exchange(stack.api, head.encode() + b"%x\r\n" % SEVEN_MEGABYTES)

    assert received.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in received
    assert b'"code":"payload_too_large"' in received
    assert f"Access-Control-Allow-Origin: {stack.site}".encode() in received


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/form",
        "/status",
        "/embed.js",
        "/openapi.json",
        "/.well-known/security.txt",
        "/challenge",
        "/acknowledgments",
        "/assets/form.js",
    ],
)
def test_options_where_we_have_no_preflight_is_the_gateways_404(stack: Stack, path: str) -> None:
    preflight = {"Origin": stack.site, "Access-Control-Request-Method": "GET"}

    answer = request("OPTIONS", f"{stack.api}{path}", headers=preflight)

    assert_ours(answer, 404, "not_found")
    assert "access-control-allow-methods" not in answer.headers


@pytest.mark.parametrize(("path", "status"), [("/health", 405), ("/nope", 404)])
def test_head_answers_have_no_body_so_the_next_answer_follows_the_headers(
    stack: Stack, path: str, status: int
) -> None:
    # Pipelined on one connection: a body after HEAD's headers would be read as the
    # next status line.
    head = f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n"
    then = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

    received = raw_exchange(stack.api, (head + then).encode())

    first, _, rest = received.partition(b"\r\n\r\n")
    assert first.startswith(f"HTTP/1.1 {status} ".encode()) and b"nosniff" in first
    assert rest.startswith(b"HTTP/1.1 200 ")


def test_links_name_the_local_server_never_the_clients_host_header(stack: Stack) -> None:
    forged = {"Host": "evil.example"}

    accepted = post_json(f"{stack.api}/reports", REPORT, headers=forged)
    security_txt = request("GET", f"{stack.api}/.well-known/security.txt", headers=forged)

    assert accepted.status == 201
    assert accepted.json()["status_url"].startswith(f"{stack.api}/status#")
    assert b"evil.example" not in security_txt.body
    assert f"Canonical: {stack.api}/.well-known/security.txt".encode() in security_txt.body


def test_too_large_is_readable_by_the_allowed_origins_script(stack: Stack) -> None:
    answer = declared_only(
        f"{stack.api}/reports", {"Content-Type": "application/json", "Origin": stack.site}
    )

    assert_ours(answer, 413, "payload_too_large")
    assert answer.headers["access-control-allow-origin"] == stack.site


def test_too_large_from_a_browser_form_is_the_form_page_again(stack: Stack) -> None:
    form_post = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}

    answer = declared_only(f"{stack.api}/reports", form_post)

    assert answer.status == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert b"<form" in answer.body and answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("chunked", [False, True])
def test_too_large_reaches_a_client_that_sends_its_whole_body_before_reading(
    stack: Stack, chunked: bool
) -> None:
    # As Python's http.client and urllib do: the answer is read only after the last byte.
    body = b'{"title": "' + b"a" * SEVEN_MEGABYTES + b'"}'
    connection = connect(stack.api)
    connection.timeout = 30
    try:
        connection.request(
            "POST",
            "/reports",
            body=iter([body]) if chunked else body,
            headers={"Content-Type": "application/json"},
            encode_chunked=chunked,
        )
        answer = answer_of(connection)
    finally:
        connection.close()

    assert_ours(answer, 413, "payload_too_large")


def test_too_large_is_refused_on_routes_that_never_read_bodies(stack: Stack) -> None:
    answer = declared_only(f"{stack.api}/health", {})

    assert_ours(answer, 413, "payload_too_large")
