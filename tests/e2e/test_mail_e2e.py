"""Mail to the local stack: `vdp serve`'s SMTP listener files a report the team's CLI lists,
and the automatic answer shows in serve's output as `[mail]`."""

from __future__ import annotations

import json
import smtplib
import socket
import subprocess
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from tests.e2e.conftest import (
    VDP,
    Stack,
    free_port,
    start_stack,
    stop_stack,
)

pytestmark = pytest.mark.e2e
SECURITY = "security@example.com"


@pytest.fixture(scope="module")
def mail_stack() -> Iterator[tuple[Stack, int]]:
    """`vdp serve` on free ports, its SMTP listener's included."""
    stack = start_stack()
    yield stack, stack.smtp
    if stack.process.poll() is None:
        stop_stack(stack)


def report_mail(subject: str, sender: str = "ann@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Ann <{sender}>"
    message["To"] = SECURITY
    message["Subject"] = subject
    message.set_content("The admin login accepts any password after three failed attempts.")
    return message


def listed_ids(stack: Stack) -> list[str]:
    result = stack.cli("reports", "list", "--json")
    assert result.returncode == 0, result.stderr
    return [row["report_id"] for row in json.loads(result.stdout)]


def test_a_mail_becomes_a_report_and_its_answer_is_printed(mail_stack: tuple[Stack, int]) -> None:
    stack, port = mail_stack

    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        refused = smtp.send_message(report_mail("Login bypass by mail"))

    assert refused == {}
    filed = stack.wait_for_output("[inbound] report VDP-")
    report_id = filed.split("report ")[1].split()[0]
    assert report_id in listed_ids(stack)
    answer = stack.wait_for_output(f"subject=[{report_id}] Your report was received")
    assert answer.startswith("[mail] to=…@example.org ") and "encrypted" not in answer
    stack.wait_for_output(f"[notification] report.received {report_id}")


def test_a_sender_with_a_key_gets_an_encrypted_answer(mail_stack: tuple[Stack, int]) -> None:
    import pysequoia

    stack, port = mail_stack
    message = report_mail("Login bypass, with my key", sender="bea@example.net")
    public = str(pysequoia.Tsk.generate("Bea <bea@example.net>").extract_certificate())
    message.add_attachment(public.encode(), "application", "pgp-keys", filename="bea.asc")

    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(message)

    answer = stack.wait_for_output("[mail] to=…@example.net subject=[VDP-")
    assert answer.rstrip().endswith(" encrypted")


def test_mail_over_40_mb_is_refused_with_552(mail_stack: tuple[Stack, int]) -> None:
    stack, port = mail_stack
    message = report_mail("Too big")
    dump = b"\0" * (31 * 1024 * 1024)  # about 42 MB once base64-encoded
    message.add_attachment(dump, "application", "octet-stream", filename="dump.bin")
    before = listed_ids(stack)

    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        with pytest.raises(smtplib.SMTPSenderRefused) as announced:
            smtp.send_message(message)  # SIZE is declared: refused before the data
        smtp.rset()
        smtp.mail("ann@example.org")  # no SIZE: refused once the data passes the limit
        smtp.rcpt(SECURITY)
        code, _ = smtp.data(message.as_bytes(policy=SMTP))

    assert announced.value.smtp_code == 552 and code == 552
    assert listed_ids(stack) == before
    assert refused_lines(stack, 2) == ["[inbound] refused: over 40 MB (552)"] * 2  # one each
    assert not any("Too big" in line or "ann@example.org" in line for line in stack.output)


def refused_lines(stack: Stack, expected: int) -> list[str]:
    """serve's refusal lines, once `expected` of them arrived (its output is read by a
    thread) or after 15 seconds."""
    deadline = time.monotonic() + 15
    while True:
        lines = [line.strip() for line in stack.output if line.startswith("[inbound] refused")]
        if len(lines) >= expected or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_a_busy_smtp_port_is_named() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        ports = ["--port", str(free_port()), "--site-port", str(free_port())]
        ports += ["--aws-port", str(free_port()), "--smtp-port", busy]

        result = subprocess.run(  # noqa: S603
            [VDP, "serve", *ports], capture_output=True, text=True, timeout=30, check=False
        )

    assert result.returncode != 0
    assert f"port {busy} (SMTP) is already in use" in result.stderr
