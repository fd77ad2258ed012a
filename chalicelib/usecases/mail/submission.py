"""A mail as a submission: its text (HTML turned into text with html.parser), files and
sender fitted into what the intake accepts (the API's limits and the policy's), with a
note of whatever did not fit."""

from __future__ import annotations

import base64
import contextlib
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from chalicelib.domain.language import N_
from chalicelib.domain.openpgp import is_message
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.policy.sections import Limits
from chalicelib.usecases.mail.leftout import LeftOut
from chalicelib.usecases.mail.parse import File, MailRead

TITLE_MIN, TITLE_MAX = 5, 200  # the submission's limits
TEXT_ROOM = 40_000  # of the description's 50,000 characters; the rest is the notes' room
MAX_LISTED = 20  # parts left out are named one by one up to this many, then counted
_NOTE_ITEM = 300  # characters of one left-out part's line
HTML_READ = 2_000_000  # characters of HTML turned into text (all of it attached when cut)


@dataclass(frozen=True)
class Fitted:
    """A mail's text and files as they fit: `left_out` names each part that did not."""

    text: str
    files: tuple[File, ...]
    left_out: tuple[LeftOut, ...]
    flags: frozenset[str]


def readable(mail: MailRead) -> str:
    """The mail's text: its plain parts, else its HTML turned into text."""
    return html_text(mail.html) if _html_only(mail) and mail.html else mail.text


def _html_only(mail: MailRead) -> bool:
    return not mail.text.strip() and bool(mail.html)


def fit(mail: MailRead, policy: Policy) -> Fitted:
    """The text cut to TEXT_ROOM (then attached whole) and the files the limits allow."""
    flags, text = set(mail.flags), readable(mail)
    candidates = list(mail.files)
    if len(text) > TEXT_ROOM:
        # The whole text travels as a file, so a long (or armored) text stays intact.
        flags.add("cut")
        html = mail.html if _html_only(mail) else None
        whole = File("mail.html", "text/html", html.encode()) if html else None
        candidates.insert(0, whole or File("mail.txt", "text/plain", text.encode()))
    kept, over = _within(candidates, policy.limits)
    if "cut" in flags and candidates[0] in kept:
        flags.add("text attached")
    if over:
        flags.add("files skipped")
    over_limits = N_("{name} ({size} bytes): over the limits")
    left_out = (
        *mail.left_out,
        *(LeftOut.of(over_limits, name=f.name, size=len(f.data)) for f in over),
    )
    return Fitted(text[:TEXT_ROOM], tuple(kept), left_out, frozenset(flags))


def _within(candidates: list[File], limits: Limits) -> tuple[list[File], list[File]]:
    """Files in order while they fit the policy's limits, and the ones that did not."""
    kept: list[File] = []
    over: list[File] = []
    room = limits.max_attachment_bytes
    for item in candidates:
        fits = len(kept) < limits.max_attachments and len(item.data) <= room
        (kept if fits else over).append(item)
        room -= len(item.data) if fits else 0
    return kept, over


def report_fields(
    mail: MailRead, fitted: Fitted, policy: Policy, dropped: set[str], updates: bool
) -> tuple[dict[str, Any], list[LeftOut]]:
    """The submission, without the `dropped` fields (see droppable), and what it lacks."""
    files = () if "attachments" in dropped else fitted.files
    refused = (
        LeftOut.of(N_("{name}: not accepted"), name=f.name) for f in fitted.files[len(files) :]
    )
    left_out = [*fitted.left_out, *refused]
    reporter = {
        "email": mail.sender or None,
        "name": mail.sender_name or None,
        "pgp_key": mail.pgp_key,
        # Mail about the report only to a sender we may answer (not a forged From).
        "email_updates": updates,
    }
    known = {k: v for k, v in reporter.items() if k not in dropped and v is not None}
    text = fitted.text.strip() or "(The mail had no text.)"
    closing = notes(fitted.flags, left_out, mail.claimed_sender)
    armored = is_message(text) and "description" not in dropped
    if "description" in dropped:  # an OpenPGP message to another key: kept, as quoted text
        text = f"{UNCHECKED}\n\n{text}"
    fields: dict[str, Any] = {
        "title": title(mail.subject),
        "description": text if armored else text + closing,
        "product": policy.mail.default_product,
        # Writing to the published security address accepts the policy published with it.
        "policy_accepted": True,
        "attachments": [_attachment(item) for item in files],
    }
    if armored:
        # The armor alone is the description, so that the intake's OpenPGP check and the
        # CLI's decryption see exactly the message: a line after it would make it no one
        # message. The notes go to steps_to_reproduce, a plain field the form fills too
        # (within its limit: notes are at most ~7,500 characters), which a mail has no
        # other text for; the report is then encrypted, its notes readable beside it.
        fields["steps_to_reproduce"] = closing.strip()
    if "reporter" not in dropped and set(known) - {"email_updates"}:
        fields["reporter"] = known
    return fields, left_out


UNCHECKED = "(An OpenPGP message that is not encrypted to our current key, kept as received.)"


def droppable(field: str) -> str | None:
    """What to leave out when a field fails validation: the reporter (an invalid From makes
    an anonymous report), one of their details, or the files. None: nothing helps."""
    if field in ("reporter", "reporter.email"):
        return "reporter"
    if field.startswith("reporter."):
        return field.removeprefix("reporter.")
    if field == "description":  # the one check a mail's text can fail: see report_fields
        return "description"
    return "attachments" if field.startswith("attachments") else None


def message_text(mail: MailRead) -> str:
    """A reply's text for its report (a message holds text only: its files are named)."""
    left_out = [
        LeftOut.of("{name}: a reply by mail adds its text only", name=f.name) for f in mail.files
    ]
    text = readable(mail).strip() or "(The mail had no text.)"
    if mail.pgp_key:  # asked for by plain mail about a mailed report: kept for the team
        # First, whole: a long reply is cut at the message's limit, and a cut key is none.
        key = f"[The sender's public key came with this mail:]\n{mail.pgp_key.strip()}"
        text = f"{key}\n\n[The mail's text:]\n{text}"
    return text + notes(frozenset(mail.flags), [*left_out, *mail.left_out])


def title(subject: str) -> str:
    """The subject within the title's limits ("(no subject)" when there is none)."""
    text = subject.strip() or "(no subject)"
    if len(text) < TITLE_MIN:
        text = f"{text} (mail)"
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def notes(flags: frozenset[str], left_out: list[LeftOut], claimed_sender: str = "") -> str:
    """The closing lines: how the report came, and what it lacks (at most ~7,500 chars)."""
    lines = ["", "", "[Received by mail.]"]
    if claimed_sender:
        lines.append(f"[From was not one clear address; sender unknown. It read: {claimed_sender}]")
    if "malformed" in flags:
        lines.append("[The mail's MIME structure was damaged; parts may be incomplete.]")
    if "cut" in flags:
        whole = "is attached" if "text attached" in flags else "was over the limits for files"
        lines.append(f"[The text was cut at {TEXT_ROOM:,} characters; the whole text {whole}.]")
    if "charset" in flags:
        lines.append("[Text in an unknown charset was read as UTF-8.]")
    if left_out:
        lines.append("[Not added to this report:]")
        lines += [f"- {str(item)[:_NOTE_ITEM]}" for item in left_out[:MAX_LISTED]]
        if len(left_out) > MAX_LISTED:
            lines.append(f"- and {len(left_out) - MAX_LISTED} more")
    return "\n".join(lines)


def html_text(markup: str) -> str:
    """HTML as readable text: blocks on lines of their own, links kept, scripts dropped."""
    reader = _HtmlText()
    # html.parser is lenient; should it fail all the same, what it read so far is kept.
    with contextlib.suppress(Exception):
        reader.feed(markup[:HTML_READ])
        reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _HtmlText(HTMLParser):
    _BLOCKS = frozenset(
        "p div br li tr h1 h2 h3 h4 h5 h6 table ul ol pre blockquote hr section".split()
    )
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.out.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.out.append("\n")
        elif tag == "a" and self.href:
            # A proof of concept's URL often sits in a link's target only.
            self.out.append(f" <{self.href}>")
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def _attachment(item: File) -> dict[str, str]:
    return {
        "filename": item.name,
        "content_type": item.content_type,
        "data": base64.b64encode(item.data).decode(),
    }
