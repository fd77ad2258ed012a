"""What a mail to a reporter says: the report id, what happened, the next date the policy
promises, and where to follow it. Never report content; a reply's text only inside a
mail encrypted to the reporter's own key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain.lifecycle import TERMINAL
from chalicelib.domain.openpgp import is_message
from chalicelib.domain.records import ReportRecord

RECEIVED, STATUS, REPLY = "received", "status", "reply"
_HAPPENED = {
    "acknowledged": "The security team acknowledged your report.",
    "triaged": "The security team triaged your report.",
    "accepted": "The security team accepted your report as a vulnerability.",
    "fixing": "A fix for the issue you reported is being worked on.",
    "fixed": "The issue you reported is fixed.",
    "disclosed": "The issue you reported has been disclosed.",
}


@dataclass(frozen=True)
class Update:
    """One reporter-facing event, as the mail describes it."""

    kind: str  # RECEIVED, STATUS or REPLY
    status: str | None = None
    reply_text: str | None = None  # only ever shown inside an encrypted mail


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str


def letter(
    update: Update, record: ReportRecord, organisation: str, status_link: str, private: bool
) -> Letter:
    """The mail's subject and text; `private`: it will be encrypted to the reporter."""
    report_id = record.report_id
    lines = [_happened(update), ""]
    if private and update.kind == REPLY and update.reply_text:
        lines += _reply_lines(update.reply_text)
    promise = next_promise(record, update)
    if promise:
        lines += [promise, ""]
    lines += [
        f"Report: {report_id}",
        f"Follow it: {status_link}",
        "" if private else "(the status page asks for the receipt you were given when you sent it)",
        "",
        f"-- {organisation} security team",
        "Reply to this mail to add a message to your report.",
    ]
    subject = f"[{report_id}] {_subject(update)}"
    return Letter(subject=subject, text="\n".join(line for line in lines if line is not None))


def _reply_lines(text: str) -> list[str]:
    if is_message(text):  # stored encrypted to the reporter: the block goes in as it is
        return ["The team's reply, encrypted to your key (decrypt this block too):", "",
                text.strip(), ""]  # fmt: skip
    return ["The team wrote:", "", *(f"> {line}" for line in text.split("\n")), ""]


def next_promise(record: ReportRecord, update: Update) -> str | None:
    """The next date the policy promises for this report, worded for the reporter."""
    status = update.status or record.status
    if update.kind == RECEIVED or status == "received":
        return _by("We will acknowledge it by", record.acknowledge_by)
    if status in TERMINAL or status == "disclosed":
        return None
    if status == "acknowledged":
        return _by("We will triage it by", record.triage_by)
    if status in ("triaged", "accepted", "fixing"):
        return _by("We aim to fix it by", record.fix_by) or _by(
            "We plan to disclose it by", record.disclose_by
        )
    return _by("We plan to disclose it by", record.disclose_by)


def _by(words: str, when: date | None) -> str | None:
    return f"{words} {when.isoformat()}." if when else None


def _happened(update: Update) -> str:
    if update.kind == RECEIVED:
        return "We received your vulnerability report. Thank you."
    if update.kind == REPLY:
        return "The security team replied to your report."
    status = update.status or ""
    if status in TERMINAL:
        return f"The security team closed your report as {status.replace('_', ' ')}."
    return _HAPPENED.get(status, f"Your report's status is now {status}.")


def _subject(update: Update) -> str:
    if update.kind == RECEIVED:
        return "Your report was received"
    if update.kind == REPLY:
        return "The security team replied"
    return f"Your report is now {(update.status or '').replace('_', ' ')}"
