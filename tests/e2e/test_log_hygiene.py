"""Log hygiene: every line the stack and the CLI write while a report is submitted, followed
up and triaged is checked for what was submitted, the receipt and the client address; and
every line the stack writes while clients misbehave, for their address and a traceback."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import struct
import threading
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import start_stack, stop_stack
from tests.e2e.httpclient import post_json, request, trickled_head

pytestmark = pytest.mark.e2e

CLIENT = "127.0.0.7"
CANARIES = {
    "title": "Canary title 4b1f: SQL injection in the search API",
    "description": "Canary description 9e2c: the q parameter of /search is injectable.",
    "steps": "Canary steps 77d0: send q=' OR 1=1 --",
    "impact": "Canary impact 31aa: full read access to the orders table",
    "name": "Canary Reporter 5f5f",
    "email": "canary-5f5f@example.org",
    "credit": "canary-credit-5f5f",
    "file": "canary-file-ab12.txt",
    "file_body": "canary file body c0ffee",
    "message": "Canary follow-up 8d8d: it also works on /export",
    "reply": "Canary reply e3e3: thanks, confirmed",
    "note": "Canary note 1a1a: internal only",
    "part_header": "canary-part-header-7f7f",  # python-multipart logs a header it does not know
}


def test_no_submitted_content_receipt_or_address_reaches_any_log_line() -> None:
    stack = start_stack()
    try:
        report = {
            "title": CANARIES["title"],
            "description": CANARIES["description"],
            "steps_to_reproduce": CANARIES["steps"],
            "impact": CANARIES["impact"],
            "product": "example-app",
            "policy_accepted": True,
            "reporter": {"name": CANARIES["name"], "email": CANARIES["email"]},
            "credit": {"wants_credit": True, "name": CANARIES["credit"]},
            "attachments": [{"filename": CANARIES["file"],
                             "data": base64.b64encode(CANARIES["file_body"].encode()).decode()}],
        }  # fmt: skip
        accepted = post_json(f"{stack.api}/reports", report, source=CLIENT).json()
        auth = {"Authorization": f"Bearer {accepted['receipt']}"}
        invalid = post_json(
            f"{stack.api}/reports", {**report, "policy_accepted": False}, source=CLIENT
        )
        part = (
            '--b\r\nContent-Disposition: form-data; name="title"\r\n'
            f"Content-Transfer-Encoding: {CANARIES['part_header']}\r\n\r\nx\r\n--b--\r\n"
        )
        odd_part = request(
            "POST", f"{stack.api}/reports", part,
            {"Content-Type": "multipart/form-data; boundary=b"}, CLIENT,
        )  # fmt: skip
        message = {"message": CANARIES["message"]}
        followed = post_json(
            f"{stack.api}/reports/{accepted['report_id']}/messages", message, auth, CLIENT
        )
        request("GET", f"{stack.api}/reports/{accepted['report_id']}", headers=auth, source=CLIENT)
        request("GET", f"{stack.api}/reports/{accepted['report_id']}",
                headers={"Authorization": "Bearer wrong-receipt"}, source=CLIENT)  # fmt: skip
        report_id = accepted["report_id"]
        cli = [
            stack.cli("reports", "ack", report_id, "--message", CANARIES["reply"]),
            stack.cli("reports", "note", report_id, CANARIES["note"]),
            stack.cli("reports", "status", report_id, "triaged"),
            stack.cli("reports", "timeline", report_id),
        ]
        stack.wait_for_output(f"report.message_received {report_id}")
    finally:
        stop_stack(stack)

    assert invalid.status == 422 and followed.status == 201 and odd_part.status in (400, 422)
    assert all(result.returncode == 0 for result in cli), [r.stderr for r in cli]
    lines = stack.output + [line for r in cli for line in r.stderr.splitlines()]
    secrets = [*CANARIES.values(), accepted["receipt"], CLIENT]
    leaks = [(s, line) for line in lines for s in secrets if s in line]
    assert leaks == []
    request_lines = [json.loads(line) for line in stack.output if line.startswith("{")]
    requests = [entry for entry in request_lines if entry.get("message") == "request"]
    assert len(requests) >= 5
    assert all({"request_id", "route", "status", "latency_ms"} <= set(entry) for entry in requests)
    assert {"route": "/reports", "status": 201, "report_id": report_id}.items() <= next(
        entry for entry in requests if entry.get("status") == 201
    ).items()


# --- What a client can do to a connection, short of a request the stack can answer ---

SOURCE = "127.0.0.77"  # not the default loopback address: found in output, it is a leak
TLS_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256))
HTTP_MISCHIEF = [
    *[(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n", "reset")] * 20,  # before the answer
    (b"POST /reports HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", "reset"),  # mid-body
    (b"GET /health HTTP/1.1\r\nHo", "close"),  # half a request
    (b"GET /health HTTP/1.1\r\nHo", "half-close"),
    (TLS_HELLO, "close"),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", "close"),  # an over-long line
]
MOTO_CRASH = (  # moto fails on a body that is not JSON, and answers 500
    b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/"
    b"aws4_request, SignedHeaders=host, Signature=x\r\nContent-Length: 8\r\n\r\nnot json"
)
HALF_A_MAIL = (
    b"EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<security@example.com>\r\nDATA\r\n"
    b"Subject: half\r\n\r\nhalf a mail"
)
SMTP_MISCHIEF = [
    (b"EHLO x\r\n", "reset"),  # a session that drops
    (HALF_A_MAIL, "reset"),
    (b"EHLO x\r\n", "half-close"),
    (TLS_HELLO + b"\r\n" + b"GARBAGE\r\n" * 12, "close"),  # unknown commands, too many
    (b"EHLO " + b"x" * 5000 + b"\r\n", "close"),
]


def misbehave(port: int, data: bytes, ending: str) -> None:
    """Send `data` from SOURCE, then reset, half-close or close the connection."""
    with socket.create_connection(("127.0.0.1", port), 5, (SOURCE, 0)) as raw:
        with contextlib.suppress(OSError):  # the server may close first: so be it
            raw.sendall(data)
            if ending == "reset":  # SO_LINGER 0: close sends RST, not FIN
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if ending == "half-close":
                raw.shutdown(socket.SHUT_WR)
            raw.settimeout(1)
            while raw.recv(65536):
                pass


def test_no_client_address_or_traceback_reaches_the_output_whatever_a_client_does() -> None:
    stack = start_stack()
    try:
        slow = threading.Thread(target=trickled_head, args=(stack.api, SOURCE))
        slow.start()  # a slow client, cut off at the head's deadline meanwhile
        for port in (urlsplit(url).port or 0 for url in (stack.api, stack.site, stack.aws)):
            for data, ending in HTTP_MISCHIEF:
                misbehave(port, data, ending)
        misbehave(urlsplit(stack.aws).port or 0, MOTO_CRASH, "close")
        for data, ending in SMTP_MISCHIEF:
            misbehave(stack.smtp, data, ending)
        slow.join()
        healthy = request("GET", f"{stack.api}/health", source=SOURCE)
    finally:
        stop_stack(stack)

    assert healthy.status == 200
    output = "".join(stack.output)
    assert SOURCE not in output
    assert "Traceback" not in output and "Exception occurred" not in output
    assert "[serve] a request head took over" in output  # what is left: one line, no address
