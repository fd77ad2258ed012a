"""The automatic answer to a mailed report (RFC 3834), in the current language (the
report's): its id and the acknowledgment date. The receipt travels only inside a mail
encrypted to a key the sender attached; a plain answer says to reply instead. Bounces,
auto-replies, lists and no-reply senders get none.
"""

from __future__ import annotations

import contextlib
import logging
from email.utils import parseaddr

from chalicelib.domain.errors import Refused, Uncertain, VdpError
from chalicelib.domain.language import _, number
from chalicelib.domain.receipts import receipt_lines
from chalicelib.domain.report.records import Accepted
from chalicelib.usecases.mail import news
from chalicelib.usecases.mail.compose import (
    Letter,
    Links,
    acknowledge_promise,
    links,
    signature,
    subject_line,
)
from chalicelib.usecases.mail.leftout import LeftOut
from chalicelib.usecases.mail.mime import Encrypt, build_mail
from chalicelib.usecases.mail.outbound import kept_claim
from chalicelib.usecases.mail.parse import MailRead
from chalicelib.usecases.mail.submission import MAX_LISTED
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)
_NO_REPLY = ("no-reply", "noreply", "donotreply", "do-not-reply")
_SYSTEM_SENDERS = ("mailer-daemon", "postmaster")


def is_automatic(mail: MailRead, envelope_sender: str) -> bool:
    """Mail no one should answer: bounces, auto-replies, lists, no-reply senders."""
    source = envelope_sender.strip()
    if source in ("", "<>") or mail.return_path == "<>" or mail.automatic:
        return True
    for address in (parseaddr(source)[1] or source, mail.sender):
        local = address.rpartition("@")[0].lower() or address.lower()
        if local in _SYSTEM_SENDERS or any(word in local for word in _NO_REPLY):
            return True
    return False


def may_answer(mail: MailRead, envelope_sender: str, authenticated: bool, ports: Ports) -> bool:
    """Whether the sender may get mail from us about the report: a readable From that SPF
    or DKIM vouches for (answering a forged one would mail a stranger), on a mail that is
    no automatic one, from an address that is not ours and has not bounced."""
    if not mail.sender or not authenticated or is_automatic(mail, envelope_sender):
        return False
    if _ours(mail.sender, ports):
        return False  # our own mail, come back: answering it would start a loop
    return ports.mail_log is None or not ports.mail_log.suppressed(mail.sender)


def _ours(address: str, ports: Ports) -> bool:
    local, _sep, domain = address.casefold().rpartition("@")
    policy = ports.policy
    for own in (policy.sender(), policy.contacts.email, policy.reply_address("X")):
        own_local, _sep, own_domain = own.casefold().rpartition("@")
        if domain == own_domain and local.split("+")[0] == own_local.split("+")[0]:
            return True
    return False


def acknowledge(mail: MailRead, accepted: Accepted, left_out: list[LeftOut], ports: Ports) -> bool:
    """Answer the sender of a new report; True if sent. Sent under the outbox's claim for
    the report's first mail, so the sender gets one acknowledgment, not two."""
    mailer, report_id = ports.mailer, accepted.report_id
    if mailer is None or not ports.policy.mail.enabled:
        return False
    claim = f"{report_id}/received"
    if ports.mail_log is not None and not ports.mail_log.claim(claim, ports.clock()):
        return False  # the outbox has mailed it already
    try:
        mailer.send(ports.policy.sender(), mail.sender, answer(mail, accepted, left_out, ports))
    except (Refused, Uncertain) as failed:  # refused for good, or perhaps sent: no second try
        kept_claim(failed, report_id)
        return False
    except Exception:  # the report is stored: a lost answer must not fail (and repeat) it
        log.warning("auto-reply not sent", exc_info=True, extra={"report_id": report_id})
        if ports.mail_log is not None:
            with contextlib.suppress(VdpError):
                ports.mail_log.release(claim)  # the outbox may then send its own
        return False
    log.info("auto-reply sent", extra={"report_id": report_id})
    return True


def answer(mail: MailRead, accepted: Accepted, left_out: list[LeftOut], ports: Ports) -> bytes:
    """The raw answer: PGP/MIME with the receipt when the sender's key works, else plain."""
    encrypt = _encryptor(mail.pgp_key, ports)
    receipt = accepted.receipt if encrypt is not None else None
    where = links(ports, accepted.report_id, receipt)
    raw = build_mail(
        _letter(accepted, left_out, ports.policy.organisation.name, where, receipt),
        sender=ports.policy.sender(),
        recipient=mail.sender,
        reply_to=ports.policy.reply_address(accepted.report_id),
        unsubscribe_url=where.unsubscribe,
        encrypt=encrypt,
    )
    return as_reply(raw, mail.message_id)


def as_reply(raw: bytes, message_id: str | None) -> bytes:
    """A built mail as an automatic reply in the sender's thread (RFC 3834, RFC 5322)."""
    head, blank, body = raw.partition(b"\r\n\r\n")
    head = head.replace(b"Auto-Submitted: auto-generated", b"Auto-Submitted: auto-replied")
    if message_id:  # one line of printable ASCII, checked when the mail was read
        reference = message_id.encode("ascii")
        head += b"\r\nIn-Reply-To: " + reference + b"\r\nReferences: " + reference
    return head + blank + body


def _encryptor(key: str | None, ports: Ports) -> Encrypt | None:
    encryptor = ports.encryptor
    if not key or encryptor is None:
        return None
    try:
        encryptor.encrypt(key, b"")  # a key that cannot encrypt: a plain answer instead
    except ValueError:
        log.info("sender's key cannot encrypt; plain auto-reply")
        return None
    return lambda data: encryptor.encrypt(key, data)


def _letter(
    accepted: Accepted,
    left_out: list[LeftOut],
    organisation: str,
    where: Links,
    receipt: str | None,
) -> Letter:
    """The answer's text; `receipt` only when it will be encrypted."""
    subject, received = news.RECEIVED
    report_id = accepted.report_id
    lines = [_(received), "", acknowledge_promise(accepted.acknowledge_by), ""]
    lines.append(_("Report: {report_id}", report_id=report_id))
    if receipt:
        lines += receipt_lines(receipt, where.status)
    else:
        lines += [
            _("This mail is not encrypted, so it carries no receipt for the status page."),
            _("To follow up, reply to this mail; keep the report id in the subject."),
        ]
    if left_out:
        lines += ["", _("Not added to your report (send them again, smaller, or ask us how):")]
        lines += [f"- {item.worded()[:300]}" for item in left_out[:MAX_LISTED]]
        if len(left_out) > MAX_LISTED:
            more = _("and {count} more", count=number(len(left_out) - MAX_LISTED))
            lines.append("- " + more)
    lines += signature(organisation, where)
    return Letter(subject=subject_line(report_id, subject), text="\n".join(lines))
