"""Mail as sent: a plain text mail, or PGP/MIME (RFC 3156) encrypted to the reporter's key.

Every mail names its report in the subject and its language in the text's
Content-Language (RFC 3282), asks for replies at the report's plus-address, carries a
one-click unsubscribe bound to the report (RFC 8058), and says it was sent automatically
(RFC 3834), so that auto-responders do not answer it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as _SMTP
from email.utils import format_datetime, make_msgid

from chalicelib.usecases.mail.compose import Letter

Encrypt = Callable[[bytes], str]  # plaintext MIME -> armored OpenPGP message
# RFC 5322's own line limit: a long List-Unsubscribe URL stays one token, not an
# encoded word that mail clients would not read as a URL.
SMTP = _SMTP.clone(max_line_length=998)


def build_mail(
    letter: Letter,
    *,
    sender: str,
    recipient: str,
    reply_to: str,
    unsubscribe_url: str,
    encrypt: Encrypt | None = None,
) -> bytes:
    """The raw message: plain, or (with `encrypt`) its text inside a PGP/MIME envelope."""
    inner = EmailMessage(policy=SMTP)
    # Text beyond ASCII (German's umlauts, an organisation's name) goes quoted-printable:
    # 7-bit clean on every relay.
    cte = None if letter.text.isascii() else "quoted-printable"
    inner.set_content(letter.text, charset="utf-8", cte=cte)
    inner["Content-Language"] = letter.language
    outer = inner if encrypt is None else _encrypted(inner, encrypt)
    outer["Subject"] = letter.subject
    outer["From"] = sender
    outer["To"] = recipient
    outer["Reply-To"] = reply_to
    outer["Date"] = format_datetime(datetime.now(UTC))
    outer["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    outer["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    outer["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    outer["Auto-Submitted"] = "auto-generated"
    return outer.as_bytes(policy=SMTP)


def _encrypted(inner: EmailMessage, encrypt: Encrypt) -> EmailMessage:
    armored = encrypt(inner.as_bytes(policy=SMTP))
    outer = EmailMessage(policy=SMTP)
    outer.set_type("multipart/encrypted")
    outer.set_param("protocol", "application/pgp-encrypted")
    control = EmailMessage(policy=SMTP)
    control.set_content(b"Version: 1\r\n", "application", "pgp-encrypted", cte="7bit")
    del control["MIME-Version"]
    body = EmailMessage(policy=SMTP)
    body.set_content(armored.encode(), "application", "octet-stream", cte="7bit")
    body.replace_header("Content-Type", 'application/octet-stream; name="encrypted.asc"')
    body["Content-Disposition"] = 'inline; filename="encrypted.asc"'
    del body["MIME-Version"]
    outer.attach(control)
    outer.attach(body)
    return outer
