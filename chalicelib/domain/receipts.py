"""Report ids (short, non-sequential) and receipts (secret, stored only as a hash)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from chalicelib.domain.language import _

# Crockford's base32: no I, L, O or U, so ids survive being read aloud or retyped.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REPORT_ID = re.compile(r"^VDP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
RECEIPT_BYTES = 24  # 192 random bits; the contract asks for at least 128.
_DUMMY_HASH = hashlib.sha256(b"vdp:no-such-report").hexdigest()


def new_report_id() -> str:
    """A random id such as VDP-7K3M-9QX2 (40 bits; collisions are caught by conditional writes)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"VDP-{chars[:4]}-{chars[4:]}"


def normalized_report_id(value: str) -> str:
    """An id as retyped or read aloud (lower case, spaces around it) as it is stored;
    ASCII only, as "ſ".upper() is "S"."""
    value = value.strip()
    return value.upper() if value.isascii() else value


def is_report_id(value: str) -> bool:
    return bool(REPORT_ID.match(value))


def new_receipt() -> str:
    """The reporter's secret, shown once."""
    return secrets.token_urlsafe(RECEIPT_BYTES)


def hash_receipt(report_id: str, receipt: str) -> str:
    # The receipt has 192 random bits, so a fast hash cannot be brute-forced;
    # binding the id means one hash never verifies another report.
    return hashlib.sha256(f"{report_id}:{receipt}".encode()).hexdigest()


def verify_receipt(report_id: str, receipt: str, stored_hash: str | None) -> bool:
    """Constant-time check; an unknown report costs the same as a wrong receipt."""
    expected = stored_hash if stored_hash is not None else _DUMMY_HASH
    matches = hmac.compare_digest(hash_receipt(report_id, receipt), expected)
    return matches and stored_hash is not None


def receipt_key(report_id: str, receipt: str) -> bytes:
    """An AES-256 key only the receipt's holder can give: the reporter's own copies of
    their follow-ups are sealed with it, so the intake (which keeps no receipt) cannot
    read them back without the reporter."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derive = HKDF(hashes.SHA256(), 32, salt=report_id.encode(), info=b"vdp reporter copy")
    return derive.derive(receipt.encode())


def status_link(base_url: str, report_id: str, receipt: str | None = None) -> str:
    """A report's status page; with its receipt, the link that opens the report (in the
    fragment, which no server sees)."""
    return f"{base_url.rstrip('/')}/status#{report_id}" + (f".{receipt}" if receipt else "")


def receipt_lines(receipt: str, link: str) -> list[str]:
    """The receipt and the link it opens, as a reporter reads them (in the current
    language): only ever shown to them, or sealed to their own key."""
    return [
        _("Receipt: {receipt}", receipt=receipt),
        _("Follow it: {link}", link=link),
        _("(The receipt opens your report's status page: keep it secret.)"),
    ]
