"""How `vdp reports show` presents the reporter: labelled facts, a key by its fingerprint.

The armored key itself stays in `--json`: on a terminal it is dozens of lines nobody
reads, while its fingerprint is what a team member compares with the reporter's.
"""

from __future__ import annotations

from typing import Any


def reporter_facts(contact: dict[str, Any] | None, record: dict[str, Any]) -> list[tuple[str, str]]:
    """The reporter's contact as labelled values; none for an anonymous reporter."""
    if not contact or not any(contact.get(name) for name in ("name", "email", "pgp_key")):
        return []
    return [
        ("name", contact.get("name") or "-"),
        ("email", contact.get("email") or "-"),
        ("mail updates", _mail_updates(contact, record)),
        ("pgp key", _fingerprint(contact.get("pgp_key"))),
    ]


def _mail_updates(contact: dict[str, Any], record: dict[str, Any]) -> str:
    """Whether vdp mails this reporter about the report (as the outbox decides)."""
    if not contact.get("email"):
        return "off (no email address)"
    if not contact.get("email_updates", True):
        return "off (the reporter chose none)"
    if record.get("mail_opt_out"):
        return "off (the reporter unsubscribed)"
    return "on"


def _fingerprint(armored: str | None) -> str:
    """The key's fingerprint in groups of four, as GnuPG shows it, or "none"."""
    import pysequoia

    if not armored:
        return "none"
    try:
        fingerprint = str(pysequoia.Cert.from_bytes(armored.encode()).fingerprint).upper()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic in the parser is a BaseException (pyo3)
        return "unreadable (not an OpenPGP public key; --json shows it as given)"
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))
