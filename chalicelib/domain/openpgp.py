"""OpenPGP facts vdp checks without any secret key, with Sequoia (pysequoia): that the
team's public key can be used and is the one the policy names, and that a message a
reporter sends is well-formed and addressed to it. Nothing here decrypts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

ARMORED_MESSAGE = "-----BEGIN PGP MESSAGE-----"


def is_message(text: str) -> bool:
    return text.lstrip().startswith(ARMORED_MESSAGE)


# ASCII armor (RFC 9580 6.2) writes every 3 bytes as 4 base64 characters, in lines of at
# most 76 (GnuPG writes 64), each ending in CR LF at worst; around them the BEGIN and END
# lines, a blank line, optional headers (Version:, Comment:) and a checksum line.
ARMOR_LINE, ARMOR_FRAME = 64, 512


def armored_size(packet_bytes: int) -> int:
    """The most characters an armored message of `packet_bytes` bytes takes."""
    base64 = 4 * -(-packet_bytes // 3)
    return base64 + 2 * -(-base64 // ARMOR_LINE) + ARMOR_FRAME


def team_key_problem(armored: str, fingerprint: str) -> str | None:
    """Why the team's key cannot serve as the policy's key, or None when it can."""
    import pysequoia

    try:
        cert = pysequoia.Cert.from_bytes(armored.encode())
    except BaseException as exc:
        _unless_interrupted(exc)
        return "is not an OpenPGP public key"
    if cert.fingerprint.lower() != fingerprint.replace(" ", "").lower():
        return f"has fingerprint {cert.fingerprint.upper()}, not the policy's pgp_fingerprint"
    if cert.is_revoked:
        return "is revoked"
    if cert.expiration is not None and cert.expiration <= datetime.now(UTC):
        return f"expired on {cert.expiration.date().isoformat()}"
    if not _can_encrypt(armored):
        return "has no key that can encrypt (a signing-only key)"
    try:
        pysequoia.encrypt(recipients=[cert], bytes=b"")
    except BaseException as exc:
        _unless_interrupted(exc)
        return "has no key that can encrypt now"
    return None


def _can_encrypt(armored: str) -> bool:
    """Whether any of the key's self-signatures grants an encryption usage."""
    import pysequoia

    flags = (p.key_flags for p in pysequoia.packet.PacketPile.from_bytes(armored.encode()))
    return any(flag is not None and "encryption" in str(flag) for flag in flags)


@cache
def encryption_key_ids(armored: str) -> frozenset[str]:
    """What a message to this key names it by: the key ids (version 3 session keys) and
    fingerprints (version 6) of the primary key and its subkeys, lower-case hex."""
    import pysequoia

    pile = pysequoia.packet.PacketPile.from_bytes(armored.encode())
    named = set()
    for packet in pile:
        named |= {str(value).lower() for value in (packet.key_id, packet.fingerprint) if value}
    return frozenset(named)


# Why a message is refused (the reporter's wording is usecases/reporter/wording.py's).
NOT_ONE_MESSAGE, MALFORMED = "pgp_not_one_message", "pgp_malformed"
NOT_ENCRYPTED, WRONG_KEY = "pgp_not_encrypted", "pgp_wrong_key"
HIDDEN_RECIPIENT = "pgp_hidden_recipient"


def message_problem(data: bytes, team_key: str) -> str | None:
    """Why `data` is not an OpenPGP message encrypted to the team's key (one of the kinds
    above), or None."""
    import pysequoia

    if not _one_armored_block(data):
        return NOT_ONE_MESSAGE
    try:
        # Reading a tag pysequoia has no name for (a private or reserved one) raises too.
        packets = [(p.tag, p) for p in pysequoia.packet.PacketPile.from_bytes(data)]
    except BaseException as exc:
        _unless_interrupted(exc)
        return MALFORMED
    tag = pysequoia.packet.Tag
    session_keys = [p for kind, p in packets if kind == tag.PKESK]
    # An encrypted message: session keys, then exactly one encrypted container (whatever
    # follows it would be read by nobody, or by someone else).
    body = [
        kind for kind, _ in packets if kind not in (tag.PKESK, tag.SKESK, tag.Marker, tag.Padding)
    ]
    if not session_keys or body not in ([tag.SEIP], [tag.AED]):
        return NOT_ENCRYPTED
    wanted = encryption_key_ids(team_key)
    recipients = {_recipient(bytes(p.body)) for p in session_keys}
    if not recipients & wanted:
        # A hidden recipient may be the team's key, but nothing short of the secret key can
        # show it: refused like a message to another key, with its own reason.
        return HIDDEN_RECIPIENT if HIDDEN in recipients else WRONG_KEY
    return None


def _one_armored_block(data: bytes) -> bool:
    """Binary data, or exactly one armored message with nothing around it."""
    text = data.strip()
    if not text.startswith(ARMORED_MESSAGE.encode()):
        return not text.startswith(b"-----")
    end = b"-----END PGP MESSAGE-----"
    return text.endswith(end) and text.count(ARMORED_MESSAGE.encode()) == 1 and text.count(end) == 1


HIDDEN = "hidden"  # a wildcard recipient ("anonymous", or gpg's --throw-keyids)


def _recipient(body: bytes) -> str:
    """The recipient a public-key encrypted session key packet names (RFC 9580 5.1): a
    version 3 packet by the key id in octets 1-8 (all zero: hidden); a version 6 packet by
    a fingerprint, after its length and the key's version octet (length 0: hidden).

    Read from the packet's bytes because pysequoia names no recipient: a packet's
    `key_id` and `fingerprint` are those of key packets (None on this one), and nothing
    else in its API (PacketPile, decrypt) tells whom a session key is for."""
    if body[:1] == b"\x03" and len(body) > 8:
        return HIDDEN if body[1:9] == bytes(8) else body[1:9].hex()
    if body[:1] == b"\x06" and len(body) > 1:
        return HIDDEN if body[1] == 0 else body[3 : 2 + body[1]].hex()
    return ""


def _unless_interrupted(exc: BaseException) -> None:
    """Sequoia raises its own error types, and a Rust panic as pyo3's PanicException, a
    BaseException that `except Exception` would miss: input a client sends must never
    become a 500. Only an interrupt or an exit goes on."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc
