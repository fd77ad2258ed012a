"""Where each encrypted part of a report lives, and how it is sealed and opened.

Every part has its own KMS data key whose encryption context names the report
and the part, and for a message, reply or note its event too, so a blob copied to
another report, part or event cannot be opened there.
"""

from __future__ import annotations

import json
import struct

from chalicelib.domain.crypto import Context, DataKey, open_sealed, read_header, seal
from chalicelib.domain.receipts import receipt_key
from chalicelib.usecases.ports import Ports

REPORT = "report"
REPLY = "reply"
MESSAGE = "message"
NOTE = "note"  # the team's internal notes: only the team's role may decrypt them
CREDIT = "credit"  # the name a reporter consented to see published, sealed when it is
CONTACT = "contact"  # the reporter's address, name and key: the mailer may open it, no more
OWN_COPY = "own-copy"  # a follow-up as its sender reads it back, sealed with their receipt
_HEADER_LENGTH = struct.Struct(">I")


def context(report_id: str, part: str, event_id: str | None = None) -> Context:
    """The KMS encryption context of a part (and of the event a text belongs to)."""
    if event_id is None:
        return {"report_id": report_id, "part": part}
    return {"report_id": report_id, "part": part, "event_id": event_id}


def report_key(report_id: str) -> str:
    return f"reports/{report_id}/report.enc"


def attachment_part(index: int) -> str:
    return f"attachment-{index}"


def attachment_key(report_id: str, index: int) -> str:
    return f"reports/{report_id}/attachments/{index}.enc"


def contact_key(report_id: str) -> str:
    return f"reports/{report_id}/contact.enc"


def credit_key(report_id: str) -> str:
    return f"reports/{report_id}/credit.enc"


def message_key(report_id: str, event_id: str) -> str:
    """A reporter follow-up (part `message`) or a team reply (part `reply`)."""
    return f"reports/{report_id}/messages/{event_id}.enc"


def store(ports: Ports, report_id: str, part: str, key: str, plaintext: bytes) -> None:
    """Seal under a fresh data key and write once (an existing key is never overwritten)."""
    _store(ports, key, plaintext, context(report_id, part))


def load(ports: Ports, report_id: str, part: str, key: str) -> bytes:
    """Open a part sealed for this report and part."""
    return open_sealed(ports.blobs.get(key), context(report_id, part), ports.keys.unwrap)


def load_contact(ports: Ports, report_id: str) -> dict[str, object] | None:
    """The reporter's contact part (None: an anonymous report, or one from before contacts
    had a part of their own)."""
    from chalicelib.domain.errors import NotFound

    try:
        sealed = load(ports, report_id, CONTACT, contact_key(report_id))
    except NotFound:
        return None
    found = json.loads(sealed)
    return found if isinstance(found, dict) else None


def load_report_content(ports: Ports, report_id: str) -> dict[str, object]:
    """The report part, with the reporter from the contact part (the team's view)."""
    content = json.loads(load(ports, report_id, REPORT, report_key(report_id)))
    contact = load_contact(ports, report_id)
    if contact:
        shown = ("name", "email", "pgp_key", "email_updates")
        content["reporter"] = {name: contact[name] for name in shown if name in contact}
    return content if isinstance(content, dict) else {}


def store_text(ports: Ports, report_id: str, part: str, event_id: str, text: str) -> str:
    """Seal a follow-up, reply or note for its event; the key it is stored under."""
    key = message_key(report_id, event_id)
    _store(ports, key, text.encode(), context(report_id, part, event_id))
    return key


def load_text(ports: Ports, report_id: str, part: str, key: str, event_id: str) -> str:
    """Open a follow-up, reply or note sealed for its event."""
    blob = ports.blobs.get(key)
    expected = context(report_id, part, event_id)
    if read_header(blob)[0].get("context") == context(report_id, part):
        # Sealed before texts named their event (an upgrade keeps the bucket): such a
        # blob keeps the report-and-part binding it was sealed with.
        expected = context(report_id, part)
    return open_sealed(blob, expected, ports.keys.unwrap).decode()


def store_own_copy(ports: Ports, report_id: str, event_id: str, receipt: str, text: str) -> None:
    """The reporter's copy of a follow-up: sealed with a key from their receipt, not KMS."""
    ctx = context(report_id, OWN_COPY, event_id)
    key = DataKey(receipt_key(report_id, receipt), b"", OWN_COPY)
    ports.blobs.put_new(own_copy_key(report_id, event_id), seal(text.encode(), key, ctx))


def load_own_copy(ports: Ports, report_id: str, event_id: str, receipt: str) -> str | None:
    """A follow-up as its sender wrote it (None: sent by mail, where no receipt is given)."""
    from chalicelib.domain.errors import NotFound

    try:
        blob = ports.blobs.get(own_copy_key(report_id, event_id))
    except NotFound:
        return None
    secret = receipt_key(report_id, receipt)
    return open_sealed(blob, context(report_id, OWN_COPY, event_id), lambda *_: secret).decode()


def own_copy_key(report_id: str, event_id: str) -> str:
    return f"reports/{report_id}/messages/{event_id}.own"


def _store(ports: Ports, key: str, plaintext: bytes, ctx: Context) -> None:
    ports.blobs.put_new(key, seal(plaintext, ports.keys.generate(ctx), ctx))


def pack_file(filename: str, content_type: str, data: bytes) -> bytes:
    """A file with its name and type in front, so all three are encrypted together."""
    header = json.dumps({"filename": filename, "content_type": content_type}).encode()
    return _HEADER_LENGTH.pack(len(header)) + header + data


def unpack_file(packed: bytes) -> tuple[str, str, bytes]:
    (length,) = _HEADER_LENGTH.unpack_from(packed)
    header = json.loads(packed[_HEADER_LENGTH.size : _HEADER_LENGTH.size + length])
    return header["filename"], header["content_type"], packed[_HEADER_LENGTH.size + length :]
