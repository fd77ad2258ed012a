"""Mail to reporters, sent from the outbox (the table's stream): a reporter who left an
address and agreed hears when their report is received, acknowledged, answered, moved
to another public status, given a disclosure date (planned, moved or cancelled), or
disclosed, in the language the report was written in.

A mail is claimed by its event id before it is sent, so a retried record never mails
twice; a send that fails gives the claim back and the stream retries it. Two failures keep
the claim, and are logged instead: a refusal that asking again cannot change (a rejected
message, sending paused), which must not hold up the stream, and a send whose answer was
lost, which SES may have carried out. Addresses that bounced or complained, and reports
whose reporter unsubscribed, get nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from chalicelib.domain import language
from chalicelib.domain.errors import Refused, Uncertain
from chalicelib.domain.report.records import Inserted, ReportEvent, ReportRecord
from chalicelib.usecases import parts
from chalicelib.usecases.mail import news
from chalicelib.usecases.mail.compose import (
    RECEIVED,
    REPLY,
    STATUS,
    Reader,
    Update,
    letter,
    links,
    mail_language,
)
from chalicelib.usecases.mail.mime import Encrypt, build_mail
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)


def mail_reporter(inserted: Inserted, ports: Ports) -> bool:
    """Mail the reporter about an inserted item when it is news for them; True if sent.
    A failed send raises (Unavailable) after giving its claim back; a refused or
    unanswered one keeps its claim and returns False."""
    if ports.mailer is None or ports.mail_log is None or not ports.policy.mail.enabled:
        return False
    update = _update_of(inserted)
    if update is None:
        return False
    record, event, event_id = inserted.record, inserted.event, inserted.event_id
    contact = parts.load_contact(ports, record.report_id)
    address = str((contact or {}).get("email") or "")
    if not address or not (contact or {}).get("email_updates", True) or record.mail_opt_out:
        return False
    if ports.mail_log.suppressed(address):
        log.info("mail suppressed (bounce or complaint)", extra={"report_id": record.report_id})
        return False
    if not ports.mail_log.claim(event_id, ports.clock()):
        return False  # sent before: this is a retried record
    try:
        raw = _mail(ports, record, update, event, contact or {}, address)
        ports.mailer.send(ports.policy.sender(), address, raw)
    except (Refused, Uncertain) as failed:
        kept_claim(failed, record.report_id)
        return False
    except BaseException:
        try:
            ports.mail_log.release(event_id)
        except Exception:  # the claim stays: this mail will not be retried, so say so
            log.error("mail claim not given back; mail not sent", extra={"event_id": event_id})
        raise
    log.info("mail sent to the reporter", extra={"report_id": record.report_id})
    return True


def kept_claim(failed: Refused | Uncertain, report_id: str) -> None:
    """Say why a mail's claim stays although the mail may not have gone out."""
    where = {"report_id": report_id}
    if isinstance(failed, Refused):
        log.error("mail refused (%s); not sent, not retried", failed.reason, extra=where)
    else:
        log.warning("mail send unanswered; it may have gone out, not retried", extra=where)


def _update_of(inserted: Inserted) -> Update | None:
    """The reporter-facing update an item stands for: received, a public status change, a
    reply or an embargo's change; None for anything else."""
    event = inserted.event
    if event is None:
        return Update(RECEIVED)
    if event.public and event.kind in news.EMBARGO_NEWS:
        return Update(event.kind, planned=event.planned.date() if event.planned else None)
    if not event.public or event.kind not in (STATUS, REPLY):
        return None
    return Update(event.kind, status=event.status if event.kind == STATUS else None)


def _mail(
    ports: Ports,
    record: ReportRecord,
    update: Update,
    event: ReportEvent | None,
    contact: Mapping[str, Any],
    address: str,
) -> bytes:
    """The raw mail, in the report's language."""
    encrypt = _encryptor(ports, contact)
    private = encrypt is not None
    if private and update.kind == REPLY and event is not None and event.part:
        text = parts.load_text(ports, record.report_id, parts.REPLY, event.part, event.event_id)
        update = Update(REPLY, reply_text=text)
    # Contacts stored before receipts were sealed hold the receipt itself.
    where = links(ports, record.report_id, contact.get("receipt") if private else None)
    reader = Reader(
        private=private,
        receipt_block=str(contact.get("receipt_block") or "") if private else "",
        by_mail=bool(contact.get("by_mail")),
    )
    with language.speaking(mail_language(record.language, ports.policy)):
        written = letter(update, record, ports.policy.organisation.name, where, reader)
    return build_mail(
        written,
        sender=ports.policy.sender(),
        recipient=address,
        reply_to=ports.policy.reply_address(record.report_id),
        unsubscribe_url=where.unsubscribe,
        encrypt=encrypt,
    )


def _encryptor(ports: Ports, contact: Mapping[str, Any]) -> Encrypt | None:
    """Encryption to the reporter's key when they gave one that works."""
    key = contact.get("pgp_key")
    if not key or ports.encryptor is None:
        return None
    encryptor = ports.encryptor
    try:
        encryptor.encrypt(str(key), b"")  # a key that cannot encrypt: plain mail instead
    except ValueError:
        log.warning("reporter's key cannot encrypt; plain mail")
        return None
    return lambda data: encryptor.encrypt(str(key), data)
