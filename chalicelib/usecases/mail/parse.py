"""A received mail, read: one-line headers, the text, the files, the sender's key, and
what could not be read. Standard library only (email, html.parser).

Nothing here raises on bad input: damaged MIME, unknown charsets and mails of a thousand
parts each become a bounded reading that says what was left out.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser

from chalicelib.domain.language import N_
from chalicelib.usecases.mail.headers import from_as_received, from_mailbox, header, one_line, safe
from chalicelib.usecases.mail.leftout import LeftOut

MAX_PARTS = 100  # MIME parts read from one mail; the rest are listed as not read
PUBLIC_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
# Codecs that are no mail charset, and slow or strict on arbitrary bytes.
_NOT_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape"})
_MESSAGE_ID = re.compile(r"^<[!-;=?-~]{1,250}>$")  # printable ASCII, no angle brackets
_MEDIA_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]{1,63}/[a-z0-9!#$&^_.+-]{1,63}$")  # as the API's
_ADDRESS = re.compile(r"^[^\s@<>()\[\]\",;:\\]{1,64}@[^\s@<>()\[\]\",;:\\]{1,255}$")


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    data: bytes


@dataclass
class MailRead:
    """What a mail says, its headers cleaned to one line each."""

    subject: str = ""
    sender: str = ""  # the From address; "" unless From is one clear mailbox
    sender_name: str = ""
    claimed_sender: str = ""  # the From header(s) as received, when no sender was trusted
    return_path: str = ""
    message_id: str | None = None
    automatic: bool = False  # its headers say no one should answer it (RFC 3834)
    language: str = ""  # its Content-Language (RFC 3282), else its first text's
    text: str = ""  # the plain text parts
    html: str | None = None  # the HTML parts (the text when there are no plain ones)
    pgp_key: str | None = None
    files: list[File] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)  # malformed, charset, parts skipped


def read_mail(raw: bytes) -> MailRead:
    """Read a raw mail: every part up to MAX_PARTS, nothing cut yet."""
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(raw)
    except Exception:  # noqa: BLE001 - the parser is lenient; survive what it still misses
        return MailRead(text=_lines(raw.decode("utf-8", errors="replace")), flags={"malformed"})
    mail = _headers(message)
    reader = _Reader(mail)
    reader.walk(message)
    mail.files = reader.files
    mail.text = _lines("\n\n".join(reader.texts))
    mail.html = _lines("\n\n".join(reader.htmls)) if reader.htmls else None
    return mail


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _headers(message: Message) -> MailRead:
    mailbox = from_mailbox(message)
    address, name = mailbox or ("", "")
    if "=?" in name:  # an encoded word the header parser left as it was (RFC 2047)
        name = safe(lambda: str(make_header(decode_header(name))), name)
    message_id = one_line(header(message, "Message-ID"))
    auto = header(message, "Auto-Submitted").split(";")[0].strip().lower()
    precedence = header(message, "Precedence").strip().lower()
    # One mailbox whose address is none to answer ("x y"@host, a literal IP) is no sender
    # either: the team then reads From as it came, as for any unclear From.
    sender = address if _ADDRESS.match(address) else ""
    return MailRead(
        subject=one_line(header(message, "Subject")),
        sender=sender,
        sender_name=one_line(name)[:200] if sender else "",
        claimed_sender="" if mailbox and sender else from_as_received(message),
        return_path=one_line(header(message, "Return-Path")),
        language=_language(message),
        message_id=message_id if _MESSAGE_ID.match(message_id) else None,
        automatic=auto not in ("", "no")
        or precedence in ("bulk", "junk", "list")
        or bool(header(message, "List-Id"))
        or _content_type(message) == "multipart/report",
    )


def _language(part: Message) -> str:
    return one_line(header(part, "Content-Language"))[:200]


def _content_type(part: Message) -> str:
    # A damaged Content-Type is read as plain text (RFC 2045).
    return safe(part.get_content_type, "text/plain")


class _Reader:
    """Walks at most MAX_PARTS parts (iteratively: nesting depth costs no recursion)."""

    def __init__(self, mail: MailRead) -> None:
        self.mail = mail
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.files: list[File] = []

    def walk(self, message: Message) -> None:
        stack, seen = [message], 0
        while stack:
            part = stack.pop()
            seen += 1
            if seen > MAX_PARTS:
                self.mail.flags.add("parts skipped")
                rest = 1 + _count(stack)
                more = N_("{count} more MIME parts after the first {first}")
                self.mail.left_out.append(LeftOut.of(more, count=rest, first=MAX_PARTS))
                return
            stack.extend(reversed(self.visit(part)))
            if part.defects:  # after the visit: decoding a payload records its defects too
                self.mail.flags.add("malformed")

    def visit(self, part: Message) -> list[Message]:
        """Take a part in; the parts inside it, still to visit."""
        kind = _content_type(part)
        # Only a multipart's payload: a leaf's get_payload() decodes with its charset.
        inner = part.get_payload() if part.is_multipart() else None
        if kind == "multipart/encrypted" and isinstance(inner, list):
            # PGP/MIME: the armored part as sent; the version part says nothing.
            sealed = [p for p in inner if isinstance(p, Message)]
            sealed = [p for p in sealed if _content_type(p) != "application/pgp-encrypted"]
            self.texts += [self.text(p) for p in sealed]
            return []
        if isinstance(inner, list) and not kind.startswith("message/"):
            return [p for p in inner if isinstance(p, Message)]
        name = _filename(part)
        if kind.startswith("message/"):
            self.files.append(File(name or "attached-message.eml", kind, _data(part)))
        elif self._is_key(part, kind, name):
            self.mail.pgp_key = self.mail.pgp_key or self.text(part).strip()
        elif kind in ("text/plain", "text/html") and not name and not _attachment(part):
            (self.htmls if kind == "text/html" else self.texts).append(self.text(part))
            self.mail.language = self.mail.language or _language(part)
        elif kind.startswith("multipart/"):  # no boundary found: its text as it came
            self.texts.append(self.text(part))
        else:
            kind = kind if _MEDIA_TYPE.match(kind) else "application/octet-stream"
            self.files.append(File(name or f"part-{len(self.files) + 1}", kind, _data(part)))
        return []

    def _is_key(self, part: Message, kind: str, name: str) -> bool:
        if kind == "application/pgp-keys":
            return True
        return name.lower().endswith(".asc") and self.text(part).lstrip().startswith(PUBLIC_KEY)

    def text(self, part: Message) -> str:
        """A text part decoded with its charset; replacement characters where it fails."""
        data = _data(part)
        charset = _charset(part)
        if charset is None:
            self.mail.flags.add("charset")
            charset = "utf-8"
        try:
            return data.decode(charset, errors="replace")
        except (LookupError, ValueError):
            self.mail.flags.add("charset")
            return data.decode("utf-8", errors="replace")


def _charset(part: Message) -> str | None:
    """The declared charset if Python knows it as a text encoding (None: unknown)."""
    name = str(part.get_content_charset() or "utf-8")  # a superset of the default us-ascii
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    text_encoding = getattr(info, "_is_text_encoding", True)
    return None if info.name in _NOT_CHARSETS or not text_encoding else info.name


def _data(part: Message) -> bytes:
    if part.is_multipart():  # an attached message: its bytes as they came
        inner = [p for p in part.get_payload() if isinstance(p, Message)]
        return safe(lambda: b"".join(p.as_bytes() for p in inner), b"")
    # Bytes as the transfer encoding gives them (undecodable: as they came), never a
    # charset's decoding, which may fail or be slow on bytes it was not made for.
    data = safe(lambda: part.get_payload(decode=True), None)
    return data if isinstance(data, bytes) else b""


def _filename(part: Message) -> str:
    name = str(safe(part.get_filename, None) or "")
    return one_line(name).replace("/", "_").replace("\\", "_")[:255]


def _attachment(part: Message) -> bool:
    return safe(part.get_content_disposition, None) == "attachment"


def _count(stack: list[Message], cap: int = 100_000) -> int:
    """Parts under these (bounded: counting must not cost what reading would)."""
    total, pending = 0, list(stack)
    while pending and total < cap:
        part = pending.pop()
        total += 1
        inner = part.get_payload() if part.is_multipart() else None
        pending.extend(p for p in inner or () if isinstance(p, Message))
    return total
