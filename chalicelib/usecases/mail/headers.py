"""A received mail's headers, each read as one line, and who the mail is from: the one
mailbox its From header names, or nobody. Standard library only (email)."""

from __future__ import annotations

from collections.abc import Callable
from email.errors import ObsoleteHeaderDefect, UndecodableBytesDefect
from email.message import Message
from typing import Any, TypeVar

from chalicelib.domain.report.strict import TEXT_DIRECTION_CONTROLS

T = TypeVar("T")
# Control, line-separator and text-direction characters: none may stay in a one-line value.
_BREAKS = {c: " " for c in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}
_BREAKS.update({c: "" for c in TEXT_DIRECTION_CONTROLS})


def one_line(value: str) -> str:
    """A header as one line: no control, line-separator or direction characters."""
    return " ".join(value.translate(_BREAKS).split()).encode("utf-8", "replace").decode()


def safe(read: Callable[[], T], default: T) -> T:
    """What the parser models on demand; a value it cannot model yields `default`."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - the parser's errors on damaged input vary by value
        return default


def header(message: Message, name: str) -> str:
    """A header's value (the first of its name); unparseable, its raw text."""
    raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    value = safe(lambda: message.get(name), raw)
    return "" if value is None else str(value)


def from_mailbox(message: Message) -> tuple[str, str] | None:
    """The address and name of the one mailbox From names; None for anything less clear:
    no From or several, a group or several mailboxes, a header the parser had to repair
    (`you@example.org <mallory@evil.example>` reads as the first address), or a name
    that decodes to a line break. Such a From is no sender to answer or match a report to.
    Obsolete syntax (a period in a name) is still one clear mailbox."""
    if len(_raw_from(message)) != 1:
        return None
    parsed = safe(lambda: message.get("From"), None)  # a CR or LF in a name raises
    groups: tuple[Any, ...] = tuple(getattr(parsed, "groups", None) or ())
    mailboxes: tuple[Any, ...] = tuple(groups[0].addresses) if len(groups) == 1 else ()
    name = _utf8_name(mailboxes[0]) if len(mailboxes) == 1 else None
    allowed = (ObsoleteHeaderDefect, UndecodableBytesDefect) if name else ObsoleteHeaderDefect
    defects = [d for d in getattr(parsed, "defects", ()) if not isinstance(d, allowed)]
    if len(groups) != 1 or groups[0].display_name is not None or defects:
        return None
    if len(mailboxes) != 1:
        return None
    return one_line(str(mailboxes[0].addr_spec)), name or str(mailboxes[0].display_name)


def _utf8_name(mailbox: Any) -> str | None:
    """A display name sent as raw UTF-8 (RFC 6532), which the parser keeps as escaped bytes
    with an UndecodableBytesDefect: decoded, when it is valid UTF-8 on one line and the
    address itself is plain. None for anything else (the defect then counts as one)."""
    name, address = str(mailbox.display_name), str(mailbox.addr_spec)
    if not _escaped(name) or _escaped(address):
        return None
    try:
        decoded = name.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return None
    return None if any(c in decoded for c in "\r\n\x85\u2028\u2029") else decoded


def _escaped(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def from_as_received(message: Message) -> str:
    """Every From header as it came (not decoded), one line: for the team to read."""
    return one_line(" / ".join(_raw_from(message)))[:500]


def _raw_from(message: Message) -> list[str]:
    return [str(v) for k, v in message.raw_items() if k.lower() == "from"]
