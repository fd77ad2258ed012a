"""What a mail to a reporter says, in the current language: the report id, what happened,
the next date the policy promises, and where to follow it. Never report content; a
reply's text only inside a mail encrypted to the reporter's own key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain import language
from chalicelib.domain.language import N_, _, long_date
from chalicelib.domain.lifecycle import TERMINAL
from chalicelib.domain.openpgp import is_message
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.receipts import status_link
from chalicelib.domain.report import embargo
from chalicelib.domain.report.records import ReportRecord
from chalicelib.domain.unsubscribe import unsubscribe_token
from chalicelib.usecases.mail import news
from chalicelib.usecases.ports import Ports

RECEIVED, STATUS, REPLY = "received", "status", "reply"
# An embargo planned or moved: its news names the date, so no promise line repeats it.
_DATED = (embargo.SCHEDULED, embargo.MOVED)


@dataclass(frozen=True)
class Update:
    """One reporter-facing event, as the mail describes it."""

    kind: str  # RECEIVED, STATUS, REPLY or an embargo's change (domain/report/embargo.py)
    status: str | None = None
    reply_text: str | None = None  # only ever shown inside an encrypted mail
    planned: date | None = None  # an embargo's date (the one cancelled, for a cancellation)


@dataclass(frozen=True)
class Reader:
    """What a mail may tell the reporter it goes to."""

    private: bool  # it will be encrypted to their key
    receipt_block: str = ""  # their receipt and status link, sealed to their key at intake
    by_mail: bool = False  # the report came by mail: no receipt was shown to them


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    language: str = field(default_factory=language.current)  # the one it is written in


@dataclass(frozen=True)
class Links:
    """Where a mail sends its reader: the status page, and the one-click unsubscribe."""

    status: str
    unsubscribe: str


def mail_language(wanted: str, policy: Policy) -> str:
    """The language of a report's mail: its own when the policy offers it, else the first."""
    if wanted in policy.languages:
        return wanted
    return policy.languages[0] if policy.languages else language.SOURCE


def links(ports: Ports, report_id: str, receipt: str | None = None) -> Links:
    """A report's links; the status link carries the receipt only for an encrypted mail."""
    base = (ports.public_url or "").rstrip("/")
    token = unsubscribe_token(ports.secret() if ports.secret else b"", report_id)
    return Links(
        status=status_link(base, report_id, receipt),
        unsubscribe=f"{base}/unsubscribe?report={report_id}&token={token}",
    )


def letter(
    update: Update, record: ReportRecord, organisation: str, where: Links, reader: Reader
) -> Letter:
    """The mail's subject and text, for what `reader` may be told."""
    subject, happened = _news(update)
    lines = [_(happened, date=long_date(update.planned)) if update.planned else _(happened), ""]
    if reader.private and update.kind == REPLY and update.reply_text:
        lines += _reply_lines(update.reply_text)
    promise = next_promise(record, update)
    if promise:
        lines += [promise, ""]
    lines += [
        _("Report: {report_id}", report_id=record.report_id),
        _("Follow it: {link}", link=where.status),
    ]
    lines += _receipt_lines(reader)
    lines += signature(organisation, where)
    return Letter(subject=subject_line(record.report_id, subject), text="\n".join(lines))


def subject_line(report_id: str, subject: str) -> str:
    """The report id in brackets (a reply keeps it), then the subject, translated."""
    return f"[{report_id}] " + _(subject)


def signature(organisation: str, where: Links) -> list[str]:
    """The lines every mail to a reporter ends with."""
    return [
        "",
        _("-- {organisation} security team", organisation=organisation),
        _("Reply to this mail to add a message to your report."),
        _("No more mail about this report: {link}", link=where.unsubscribe),
    ]


def _receipt_lines(reader: Reader) -> list[str]:
    """Where the reader's receipt is: sealed in this mail, or with them, or nowhere (a
    report by mail without a key was never given one)."""
    if reader.private:
        if not reader.receipt_block:
            return []
        intro = _("Your receipt and the link that opens your report (decrypt this block too):")
        return ["", intro, "", reader.receipt_block.strip()]
    if not reader.by_mail:
        return [_("(The status page asks for the receipt you got when you sent the report.)")]
    return [
        "",
        _("The team's replies can be read only on the status page, with the report's receipt."),
        _("A report sent by mail gets its receipt only in a mail encrypted to your key."),
        _("Reply with your public OpenPGP key, and the team can write to you encrypted."),
    ]


def _reply_lines(text: str) -> list[str]:
    if is_message(text):  # stored encrypted to the reporter: the block goes in as it is
        intro = _("The team's reply, encrypted to your key (decrypt this block too):")
        return [intro, "", text.strip(), ""]
    return [_("The team wrote:"), "", *(f"> {line}" for line in text.split("\n")), ""]


def next_promise(record: ReportRecord, update: Update) -> str | None:
    """The next date the policy promises for this report, worded for the reporter."""
    status = update.status or record.status
    if update.kind == RECEIVED or status == "received":
        return acknowledge_promise(record.acknowledge_by)
    if status in TERMINAL or status == "disclosed" or update.kind in _DATED:
        return None
    if planned := embargo.planned(record):
        return _by(N_("We plan to disclose it on {date}."), planned.date())
    if status == "acknowledged":
        return _by(N_("We will triage it by {date}."), record.triage_by)
    disclose = _by(N_("We plan to disclose it by {date}."), record.disclose_by)
    if status in ("triaged", "accepted", "fixing"):
        return _by(N_("We aim to fix it by {date}."), record.fix_by) or disclose
    return disclose


def acknowledge_promise(when: date) -> str:
    """The policy's first promise: when the team acknowledges a new report."""
    return _("We will acknowledge it by {date}.", date=long_date(when))


def _by(promise: str, when: date | None) -> str | None:
    return _(promise, date=long_date(when)) if when else None


def _news(update: Update) -> tuple[str, str]:
    """The subject and first line (N_() texts) for what happened."""
    if update.kind == RECEIVED:
        return news.RECEIVED
    if update.kind == REPLY:
        return news.REPLIED
    if update.kind in news.EMBARGO_NEWS:
        return news.EMBARGO_NEWS[update.kind]
    return news.STATUS_NEWS.get(update.status or "", news.CHANGED)
