"""`vdp serve`'s mail: an SMTP listener for mail to the security address, and the mail vdp
sends, printed.

Each received message is stored as SES's receipt rule stores it (the bucket, under
inbound/<id>) and handed to the same `receive_mail` function with an SES-style event.
Outbound mail goes to moto's SES in this process; a watcher prints each one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_string
from email import policy as email_policy
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.usecases.mail.inbound import NotFiledYet
from vdp.local.api import quiet

log = logging.getLogger(__name__)
MAX_MAIL_BYTES = 40 * 1024 * 1024  # what SES accepts; larger mail is refused with a 552
MOTO_ACCOUNT = "123456789012"  # moto's default account, where the local stack lives
POLL_SECONDS = 0.25
Receive = Callable[[dict[str, Any], Any], Any]  # the app's receive_mail


def ses_event(message_id: str, sender: str, recipients: list[str]) -> dict[str, Any]:
    """SES's Lambda-action event for a stored mail. Every verdict is PASS: mail sent to
    the local listener comes from this machine, which is trusted (no SPF or DKIM here)."""
    passed = {"status": "PASS"}
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": datetime.now(UTC).isoformat(),
                        "messageId": message_id,
                        "source": sender,
                        "destination": recipients,
                    },
                    "receipt": {
                        "recipients": recipients,
                        "spamVerdict": passed,
                        "virusVerdict": passed,
                        "spfVerdict": passed,
                        "dkimVerdict": passed,
                        "dmarcVerdict": passed,
                    },
                },
            }
        ]
    }


class InboundHandler:
    """aiosmtpd's handler: store, then hand over, off the server's event loop."""

    def __init__(self, settings: Settings, receive: Receive, echo: Callable[[str], None]):
        self._settings = settings
        self._receive = receive
        self._echo = echo
        self._s3: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = bytes(envelope.original_content or envelope.content or b"")
        recipients = [str(r) for r in envelope.rcpt_tos]
        loop = asyncio.get_running_loop()
        try:
            outcomes = await loop.run_in_executor(
                None, self.deliver, raw, str(envelope.mail_from or ""), recipients
            )
        except NotFiledYet as kept:  # kept under inbound/; the sender may send it again
            for outcome in kept.outcomes:
                self._echo(f"[inbound] {outcome}")
            return "451 Requested action aborted: mail not filed, try again later"
        except Exception:  # noqa: BLE001 - the sender is told to retry; the stack goes on
            log.exception("inbound mail not handled")
            return "451 Requested action aborted: local error in processing"
        for outcome in outcomes:
            self._echo(f"[inbound] {outcome}")
        return "250 Message accepted for delivery"

    def refused_too_big(self) -> None:
        """One line for a mail refused as over SES's limit: no sender, no content."""
        self._echo(f"[inbound] refused: over {MAX_MAIL_BYTES // 2**20} MB (552)")

    def deliver(self, raw: bytes, sender: str, recipients: list[str]) -> list[str]:
        """Store the mail as SES's S3 action does and invoke receive_mail; its outcomes."""
        if self._s3 is None:
            self._s3 = bootstrap.client(self._settings, "s3")
        message_id = local_message_id(raw, sender, recipients)
        key = f"inbound/{message_id}"
        self._s3.put_object(Bucket=self._settings.bucket, Key=key, Body=raw)
        answer = self._receive(ses_event(message_id, sender, recipients), None)
        outcomes = answer.get("outcomes", []) if isinstance(answer, dict) else []
        return [str(outcome) for outcome in outcomes]


def local_message_id(raw: bytes, sender: str, recipients: list[str]) -> str:
    """The same id for the same envelope and bytes, so a client sending a mail again after
    a 451 meets its own stored copy (filed once, by the intake's idempotency key) rather
    than a second one. 40 lower-case hex characters, as SES's ids."""
    envelope = "\n".join([sender, *recipients]).encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(len(envelope).to_bytes(8, "big") + envelope + raw)
    return digest.hexdigest()[:40]


class _SizeNotingSmtp(SMTP):
    """aiosmtpd's session, which tells the handler when it refuses a mail as too big
    (a declared SIZE, or data past the limit): aiosmtpd itself logs neither."""

    async def push(self, status: AnyStr) -> None:
        if status[:4] in ("552 ", b"552 "):
            self.event_handler.refused_too_big()
        await super().push(status)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _SizeNotingSmtp(self.handler, **self.SMTP_kwargs)


def start_listener(
    settings: Settings, host: str, port: int, receive: Receive, echo: Callable[[str], None]
) -> Any:
    """The SMTP listener, running in its own thread; stop it with `.stop()`."""
    quiet.quiet_mail_log()
    controller = _Controller(
        InboundHandler(settings, receive, echo),
        hostname=host,
        port=port,
        data_size_limit=MAX_MAIL_BYTES,
        enable_SMTPUTF8=True,
        ident=quiet.SERVER_NAME,  # aiosmtpd's own greets with its and Python's names
    )
    controller.loop.set_exception_handler(quiet.loop_failure)  # asyncio's own: a traceback
    controller.start()
    return controller


def sent_mail() -> list[Any]:
    """Every mail moto's SES accepted (it runs in this process), a restored run's too."""
    from moto.ses.models import ses_backends

    return list(ses_backends[MOTO_ACCOUNT]["us-east-1"].sent_messages)


def watch_sent_mail(stop: threading.Event, echo: Callable[[str], None], seen: int = 0) -> None:
    """Print each mail SES accepts after the first `seen` until the stack stops."""
    while not stop.wait(POLL_SECONDS):
        sent = sent_mail()
        seen = min(seen, len(sent))  # a reset backend starts over
        for message in sent[seen:]:
            echo(describe_mail(message))
        seen = len(sent)


def describe_mail(message: Any) -> str:
    """`[mail] to=…@<domain> subject=<subject>`, and `encrypted` for PGP/MIME. The
    address itself stays out: like every log line, no reporter's contact is printed."""
    recipients = getattr(message, "destinations", None) or []
    if isinstance(recipients, dict):  # a simple (not raw) send names them by kind
        recipients = [address for kind in recipients.values() for address in kind]
    to = "…@" + str(recipients[0]).rpartition("@")[2].rstrip(">") if recipients else "?"
    raw = getattr(message, "raw_data", None)
    if raw is None:
        return f"[mail] to={to} subject={_one_line(getattr(message, 'subject', ''))}"
    parsed = message_from_string(raw, policy=email_policy.default)
    line = f"[mail] to={to} subject={_one_line(str(parsed.get('Subject', '')))}"
    return line + (" encrypted" if parsed.get_content_type() == "multipart/encrypted" else "")


def banner(host: str, port: int, security_address: str) -> list[str]:
    """What `vdp serve` says about mail, with a one-line way to send some."""
    snippet = (
        f"python3 -c \"import smtplib; smtplib.SMTP('{host}', {port}).sendmail("
        f"'you@example.org', ['{security_address}'], "
        "'From: you@example.org\\nSubject: Test report\\n\\n"
        "The login form accepts any password for admin.')\""
    )
    return [
        f"inbound mail   smtp://{host}:{port}  (mail to {security_address} becomes a report)",
        f"  try: {snippet}",
        "received mail appears below as [inbound], mail sent to reporters as [mail]",
    ]


def _one_line(text: str) -> str:
    return " ".join(text.split())
