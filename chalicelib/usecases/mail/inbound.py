"""Mail to the security address: SES's receipt rule stores each mail under
inbound/<messageId>, then hands its event here. A mail becomes a new report through the
intake, or a message on the sender's own report when it answers one. A new report is in
the language the mail's Content-Language names, when the policy offers it; else in the
policy's first language.

Spam and viruses are dropped. Everything else is kept: a mail that cannot be filed stays in
the bucket, and the logs say what happened without quoting the mail. What a later delivery
may file (AWS unavailable, another delivery still filing it, an error of ours) makes the
function fail once every record was handled, so that Lambda delivers the event again and
at last parks it in a queue; a mail over the sender's rate limit stays for the team.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from chalicelib.domain import language
from chalicelib.domain.errors import NotFound, Unavailable, ValidationFailed, VdpError
from chalicelib.domain.receipts import is_report_id, normalized_report_id
from chalicelib.domain.report.records import Accepted
from chalicelib.usecases import parts
from chalicelib.usecases.mail.autoreply import acknowledge, may_answer
from chalicelib.usecases.mail.leftout import LeftOut
from chalicelib.usecases.mail.parse import MailRead, read_mail
from chalicelib.usecases.mail.submission import (
    Fitted,
    droppable,
    fit,
    message_text,
    report_fields,
)
from chalicelib.usecases.ports import Ports

log = logging.getLogger(__name__)
RAW_PREFIX = "inbound/"
PASS, FAIL = "PASS", "FAIL"
# One S3 key segment (SES's ids have 40 characters), short enough for an idempotency key.
_SES_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# Outcomes a later delivery of the same event may turn into a report or a message.
RETRIED = frozenset({"kept: unavailable", "kept: conflict", "kept: error"})


class NotFiledYet(Exception):
    """Raised after every record of an event was handled, when a later delivery may file
    one of them (see RETRIED): Lambda then hands the event over again."""

    def __init__(self, outcomes: list[str]) -> None:
        retried = sum(outcome in RETRIED for outcome in outcomes)
        super().__init__(f"{retried} of {len(outcomes)} mails not filed yet")
        self.outcomes = outcomes


def check_filed(outcomes: list[str]) -> list[str]:
    """The outcomes, or NotFiledYet when a later delivery may file one of the mails."""
    if any(outcome in RETRIED for outcome in outcomes):
        raise NotFiledYet(outcomes)
    return outcomes


@dataclass(frozen=True)
class Arrival:
    """What SES says about a mail besides its bytes: the envelope and the verdicts."""

    message_id: str
    source: str  # the envelope sender (the return path)
    recipients: tuple[str, ...]
    verdicts: Mapping[str, str]  # spam, virus, spf, dkim, dmarc -> PASS, FAIL, GRAY, ...
    received: str = ""  # SES's timestamp (ISO 8601), the same in every delivery

    # SPF covers the envelope's domain and DKIM any signing domain: neither alone vouches
    # for the From header, which is the sender vdp compares and answers. DMARC passes only
    # when one of them is aligned with the From domain.
    def verified(self) -> bool:
        """SPF and DKIM both passed, and DMARC ties them to the From domain."""
        spf, dkim, dmarc = (self.verdicts[name] for name in ("spf", "dkim", "dmarc"))
        return spf == PASS and dkim == PASS and dmarc == PASS

    def authenticated(self) -> bool:
        """DMARC passed: the From address is the sender's own (SPF or DKIM aligned)."""
        return self.verdicts["dmarc"] == PASS


def receive_ses_event(event: Mapping[str, Any], ports: Ports) -> list[str]:
    """One outcome per SES record: "report <id>", "message <id>", "dropped: spam", ..."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    outcomes = []
    for record in records if isinstance(records, list) else []:
        try:
            outcome = _receive(arrival_of(record), ports)
        except Exception:  # one bad record must not cost the others; its raw mail stays
            log.exception("mail kept: not handled")
            outcome = "kept: error"
        outcomes.append(outcome)
    return outcomes


def arrival_of(record: Any) -> Arrival:
    """An SES record's envelope and verdicts (absent ones are empty, never PASS)."""
    ses = (record.get("ses") if isinstance(record, Mapping) else None) or {}
    mail, receipt = ses.get("mail") or {}, ses.get("receipt") or {}
    recipients = [*(receipt.get("recipients") or ()), *(mail.get("destination") or ())]
    verdicts = {
        name: str((receipt.get(f"{name}Verdict") or {}).get("status") or "")
        for name in ("spam", "virus", "spf", "dkim", "dmarc")
    }
    return Arrival(
        message_id=str(mail.get("messageId") or ""),
        source=str(mail.get("source") or ""),
        recipients=tuple(str(r) for r in recipients),
        verdicts=verdicts,
        received=str(mail.get("timestamp") or ""),
    )


def _receive(arrival: Arrival, ports: Ports) -> str:
    if not _SES_ID.match(arrival.message_id):
        log.warning("mail skipped: no usable message id")
        return "skipped: no message id"
    key = RAW_PREFIX + arrival.message_id
    for verdict in ("spam", "virus"):
        if arrival.verdicts[verdict] == FAIL:
            _delete_raw(ports, key)
            log.info("mail dropped: %s", verdict, extra={"count": 1})
            return f"dropped: {verdict}"
    try:
        raw = ports.blobs.get(key)
    except NotFound:  # an earlier delivery of the same event handled it
        log.info("mail skipped: no stored mail")
        return "skipped: no stored mail"
    mail = read_mail(raw)
    report_id = _reply_target(mail, arrival, ports)
    if report_id is not None and _add_message(report_id, mail, arrival, ports):
        _delete_raw(ports, key)
        return f"message {report_id}"
    # The report, and the answer to it, in the mail's language: the intake stores the
    # current one as the report's, and the report's later mail is written in it.
    with language.speaking(language.negotiate(mail.language, ports.policy.languages)):
        return _new_report(mail, arrival, key, ports)


def _reply_target(mail: MailRead, arrival: Arrival, ports: Ports) -> str | None:
    """The report a reply is for: sent to its plus-address, SPF and DKIM passed, and from
    the report's own contact address. Anything less is a new report."""
    report_id = plus_report_id(arrival.recipients, ports)
    if report_id is None:
        return None
    if not arrival.verified():
        log.info("mail to a report's address not verified; filed as a new report")
        return None
    if not mail.sender:  # From was no one clear mailbox (see parse.py)
        log.info("mail to a report's address without a clear sender; filed as a new report")
        return None
    record = ports.reports.get(report_id)
    contact = parts.load_contact(ports, report_id) if record and not record.purging else None
    address = str((contact or {}).get("email") or "")
    if not address or address.casefold() != mail.sender.casefold():
        log.info("mail to a report's address from another sender; filed as a new report")
        return None
    return report_id


def plus_report_id(recipients: tuple[str, ...], ports: Ports) -> str | None:
    """The report id of the first recipient that is a report's reply address."""
    for recipient in recipients:
        address = parseaddr(recipient)[1] or recipient
        report_id = normalized_report_id(address.rpartition("@")[0].partition("+")[2])
        if is_report_id(report_id):
            if address.casefold() == ports.policy.reply_address(report_id).casefold():
                return report_id
    return None


def _add_message(report_id: str, mail: MailRead, arrival: Arrival, ports: Ports) -> bool:
    from chalicelib.usecases.reporter.status import add_reporter_message

    try:  # named by SES's id: a delivery again (after an error) adds no second message
        text = message_text(mail)
        add_reporter_message(report_id, text, ports, arrival.message_id, arrival.received)
    except NotFound:  # purged in between: the mail becomes a report of its own
        return False
    log.info("mail added to a report", extra={"report_id": report_id})
    return True


def _new_report(mail: MailRead, arrival: Arrival, key: str, ports: Ports) -> str:
    answer = may_answer(mail, arrival.source, arrival.authenticated(), ports)
    fitted = fit(mail, ports.policy)
    filed = _submit(mail, fitted, arrival, ports, answer)
    if isinstance(filed, str):
        later = "retried" if f"kept: {filed}" in RETRIED else "left under inbound/ for the team"
        log.warning("mail kept: not filed (%s); %s", filed, later, extra={"count": 1})
        return f"kept: {filed}"
    accepted, left_out, known = filed
    _delete_raw(ports, key)
    log.info("mail filed as a report", extra={"report_id": accepted.report_id})
    if answer and known:
        acknowledge(mail, accepted, left_out, ports)
    flags = sorted(fitted.flags)
    return f"report {accepted.report_id}" + (f" ({', '.join(flags)})" if flags else "")


def _submit(
    mail: MailRead, fitted: Fitted, arrival: Arrival, ports: Ports, answer: bool
) -> tuple[Accepted, list[LeftOut], bool] | str:
    """Submit through the intake. A field that fails validation is left out and the mail
    submitted again, so it is not lost. The answer, the parts left out and whether the
    sender is still the report's contact; or why the mail could not be filed at all."""
    from chalicelib.usecases.reporter.intake import submit_report

    dropped = set[str]()
    while True:
        fields, left_out = report_fields(mail, fitted, ports.policy, dropped, answer)
        try:
            accepted = submit_report(
                fields,
                ports,
                base_url=(ports.public_url or "").rstrip("/"),
                # Rate limits count per sender, as they count per client address.
                address="mail:" + (mail.sender or arrival.source or "unknown").lower(),
                idempotency_key=f"ses:{arrival.message_id}",  # SES may deliver twice
                by_mail=True,  # counted per sender, no proof-of-work
            )
            return accepted, left_out, "reporter" not in dropped
        except ValidationFailed as failed:
            more = {droppable(problem.field) for problem in failed.fields}
            if None in more or more <= dropped:
                return failed.code
            dropped |= {name for name in more if name}
        except VdpError as exc:  # rate limited, storage down
            return exc.code


def _delete_raw(ports: Ports, key: str) -> None:
    """Every version of the stored mail (the bucket is versioned)."""
    try:
        # Listed by prefix: another key may begin with this one.
        ports.blobs.delete_versions([v for v in ports.blobs.versions(key) if v.key == key])
    except Unavailable:
        log.warning("raw mail not deleted", extra={"service": "s3"})
