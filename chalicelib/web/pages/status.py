"""The reporter's status page, rendered here with or without JavaScript: the report id and
receipt arrive as POST form fields (status.js only moves a status link's fragment into
that form), so the receipt never appears in a URL. Follow-ups are sent from the page."""

from __future__ import annotations

from datetime import date
from html import escape
from string import Template

from chalicelib.domain import language
from chalicelib.domain.errors import ValidationFailed, VdpError
from chalicelib.domain.language import N_, _, number
from chalicelib.domain.openpgp import is_message
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.views import HistoryEntry, NextPromise, ReporterView
from chalicelib.web.pages.reporter import day
from chalicelib.web.pages.shell import LANGUAGE_FIELD, Switch, page_html, say

STATUS_NAMES = {
    "received": N_("Received"), "acknowledged": N_("Acknowledged"), "triaged": N_("Triaged"),
    "accepted": N_("Accepted"), "fixing": N_("Being fixed"), "fixed": N_("Fixed"),
    "disclosed": N_("Disclosed"), "duplicate": N_("Duplicate of another report"),
    "informative": N_("Informative"), "not_applicable": N_("Not applicable"),
    "out_of_scope": N_("Out of scope"), "spam": N_("Spam"), "withdrawn": N_("Withdrawn"),
}  # fmt: skip
PROMISES = {
    "acknowledge": N_("We acknowledge it by"),
    "triage": N_("We assess it by"),
    "fix": N_("We aim to fix it by"),
    "disclose": N_("We aim to disclose it by"),
}
MESSAGE_LIMIT = 20_000  # as a follow-up's


def lookup_page(policy: Policy, error: VdpError | None = None, report_id: str = "") -> str:
    """Report id and receipt, to open the status page (and where a failed look-up lands)."""
    lead = say("Enter the report ID and the receipt you got when you sent the report.")
    body = [
        "<h1>" + say("Follow your report") + "</h1>",
        f'<p class="vdp-lead">{lead}</p>',
        _error(error),
        '<form id="vdp-lookup" class="vdp-form" method="post" action="status" novalidate>',
        _input("s-id", "report_id", say("Report ID"), "text", report_id,
               'placeholder="VDP-XXXX-XXXX"'),
        _input("s-receipt", "receipt", say("Receipt"), "password", ""),
        f'<input type="hidden" name="{LANGUAGE_FIELD}" value="{language.current()}">',
        '<button type="submit">' + say("Show status") + "</button></form>",
        _live(""),
    ]  # fmt: skip
    title = _("Your report") + f" — {policy.organisation.name}"
    return page_html(title, body, "status.js", policy, switch=Switch("status"), texts=_texts())


def status_page(
    policy: Policy,
    view: ReporterView,
    receipt: str,
    *,
    error: VdpError | None = None,
    sent: bool = False,
    draft: str = "",
) -> str:
    """The report's status, next promise and history, and the follow-up form."""
    status = escape(status_name(view.status))
    body = [
        '<h1 id="r-heading">' + say("Report {id}", id=view.report_id) + "</h1>",
        _live(say("Your message was sent.") if sent else ""),
        '<dl class="vdp-facts">',
        "<dt>" + say("Status") + f'</dt><dd id="r-status">{status}</dd>',
        "<dt>" + say("Received on") + f'</dt><dd id="r-created">{day(view.created_at.date())}</dd>',
        _planned(view.disclosure_planned) or _promise(view.next_promise),
        _identifiers(view),
        "</dl>",
        "<h2>" + say("History and replies") + "</h2>",
        f'<ol id="r-history" class="vdp-history">{_history(view.history)}</ol>',
        _follow_up(view.report_id, receipt, error, draft),
    ]
    fields = {"report_id": view.report_id, "receipt": receipt}
    title = _("Report {id}", id=view.report_id) + f" — {policy.organisation.name}"
    switch = Switch("status", fields)
    return page_html(title, body, "status.js", policy, switch=switch, texts=_texts())


def _texts() -> dict[str, object]:
    """What status.js says: the counter, and the copy button's answers."""
    return {
        "count": _("{count} of {max} characters"),
        "copied": _("Encrypted reply copied."),
        "copied_button": _("Copied"),
        "select": _("Encrypted reply selected: press Ctrl+C (or Cmd+C) to copy it."),
    }


def _live(text: str) -> str:
    return f'<div id="vdp-live" class="vdp-live" role="status" aria-live="polite">{text}</div>'


def _history(history: list[HistoryEntry]) -> str:
    return "".join(_entry(entry, index) for index, entry in enumerate(history))


def status_name(status: str) -> str:
    """A status as the reporter reads it, in the current language."""
    return _(STATUS_NAMES[status])


def _promise(promise: NextPromise | None) -> str:
    if promise is None:
        return ""
    promised = escape(_(PROMISES[promise.promise]))
    return f'<dt>{promised}</dt><dd id="r-next">{day(promise.by)}</dd>'


def _identifiers(view: ReporterView) -> str:
    """The disclosed issue's CVE ids and other databases' ids."""
    ids = [*view.cve_ids, *view.aliases]
    if not ids:
        return ""
    listed = ", ".join(f"<code>{escape(identifier)}</code>" for identifier in ids)
    return "<dt>" + say("Identifiers") + f'</dt><dd id="r-ids">{listed}</dd>'


def _planned(planned: date | None) -> str:
    """An embargo's date, in place of the promise to disclose (it names the same day)."""
    if planned is None:
        return ""
    return "<dt>" + say("Planned disclosure") + f'</dt><dd id="r-planned">{day(planned)}</dd>'


def _entry(entry: HistoryEntry, index: int) -> str:
    text, when = entry.message, day(entry.at.date())
    if entry.type == "status":
        label = say("Status: {status}", status=status_name(entry.status or "received"))
    elif entry.type == "reply" and text and is_message(text):
        # Encrypted to the key given with the report: shown as it came, to copy into the
        # reporter's OpenPGP software.
        label = say("Reply from the security team, encrypted to your OpenPGP key: copy it "
                    "and decrypt it with your OpenPGP software.")  # fmt: skip
        return f"<li>{when}<p>{label}</p>{_armored(text, f'r-reply-{index}')}</li>"
    elif entry.type == "reply":
        label = say("Reply from the security team")
    else:
        label = say("Your message")
        text = text if text is not None else _("(Sent by mail: the text is in your mailbox.)")
    quoted = f"<blockquote>{escape(text)}</blockquote>" if text else ""
    return f"<li>{when}<p>{label}</p>{quoted}</li>"


def _armored(text: str, target: str) -> str:
    label, copy = say("Encrypted reply"), say("Copy")
    return (
        f'<pre id="{target}" class="vdp-armored" tabindex="0" aria-label="{label}">'
        f"{escape(text.strip())}</pre>"
        f'<button type="button" class="vdp-copy" data-copy="{target}" hidden>{copy}</button>'
    )


FOLLOW_UP = Template(
    '<h2 id="m-heading">$heading</h2>$problem'
    '<form id="vdp-message" class="vdp-form" method="post" action="status" novalidate '
    'aria-labelledby="m-heading">$hidden<div class="vdp-field" data-field="message">'
    '<label for="f-message">$label <span class="vdp-required">($required)</span></label>'
    '<p class="vdp-hint" id="f-message-hint">$hint</p>'
    '<textarea id="f-message" name="message" rows="5" maxlength="$limit" required '
    'aria-required="true" aria-describedby="f-message-hint f-message-count"$invalid>$draft'
    '</textarea><p class="vdp-count" id="f-message-count" data-max="$limit">$count</p>'
    '</div><button type="submit">$send</button></form>'
)


def _follow_up(report_id: str, receipt: str, error: VdpError | None, draft: str) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in (
            ("report_id", report_id), ("receipt", receipt), (LANGUAGE_FIELD, language.current())
        )
    )  # fmt: skip
    return FOLLOW_UP.substitute(
        heading=say("Send a follow-up"),
        problem=_error(error),
        hidden=hidden,
        label=say("Message"),
        required=say("required"),
        hint=say(
            "More details, an answer to our questions, or a withdrawal. Encrypted like your report."
        ),  # fmt: skip
        limit=MESSAGE_LIMIT,
        invalid=' aria-invalid="true"' if isinstance(error, ValidationFailed) else "",
        draft=escape(draft),
        count=say("Up to {count} characters.", count=number(MESSAGE_LIMIT)),
        send=say("Send message"),
    )


def _input(control_id: str, name: str, label: str, kind: str, value: str, extra: str = "") -> str:
    required = say("required")
    return (
        f'<div class="vdp-field"><label for="{control_id}">{label} '
        f'<span class="vdp-required">({required})</span></label>'
        f'<input id="{control_id}" name="{name}" type="{kind}" value="{escape(value)}" '
        f'autocomplete="off" spellcheck="false" required aria-required="true" {extra}></div>'
    )


def _error(error: VdpError | None) -> str:
    if error is None:
        return ""
    problems = error.fields if isinstance(error, ValidationFailed) else []
    items = "".join(f"<li>{escape(problem.message)}</li>" for problem in problems)
    return (
        '<div id="vdp-errors" class="vdp-errors" role="alert" tabindex="-1">'
        f"<p>{escape(error.message)}</p>{f'<ul>{items}</ul>' if items else ''}</div>"
    )
