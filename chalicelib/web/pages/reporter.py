"""The pages a reporter sees after sending: the receipt (the same markup with and without
JavaScript: form.js fills in a blank copy) and the unsubscribe page."""

from __future__ import annotations

from datetime import date
from html import escape
from string import Template

from chalicelib.domain import language
from chalicelib.domain.language import _
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.records import Accepted
from chalicelib.web.pages.shell import LANGUAGE_FIELD, page_html, say

ENCRYPTED = "encrypted"  # the flag of a report with content encrypted to the team's key


def receipt_page(policy: Policy, accepted: Accepted) -> str:
    """The no-JavaScript answer to a form post: the receipt, shown this once. No language
    switch: leaving this page would lose the receipt."""
    body = [receipt_section(policy, accepted, heading="h1")]
    return page_html(_("Report received"), body, "form.js", policy)


RECEIPT = Template(
    '<section class="vdp-receipt" id="vdp-receipt" aria-labelledby="receipt-heading">'
    '<$heading id="receipt-heading" tabindex="-1">$received</$heading>'
    '<p class="vdp-alert"><strong>$save</strong> $why</p><dl class="vdp-facts">'
    '<dt>$id_term</dt><dd id="r-report-id">$report_id</dd>'
    '<dt>$receipt_term</dt><dd><code id="r-receipt">$receipt</code> '
    '<button type="button" class="vdp-copy" data-copy="r-receipt" hidden>$copy</button></dd>'
    '<dt>$ack_term</dt><dd id="r-ack">$ack</dd>'
    '<dt>$protection_term</dt><dd id="r-protection">$protection</dd></dl>'
    '<ul class="vdp-flags" id="r-flags">$flags</ul>$follow'
    '<p class="vdp-hint">$or_link <a id="r-status-link" href="$status_url">$link</a>.</p>'
    "</section>"
)


def receipt_section(policy: Policy, accepted: Accepted | None, heading: str = "h2") -> str:
    """The receipt; with `accepted` None, the blank copy form.js fills in after a JSON 201."""
    report_id, receipt = (accepted.report_id, accepted.receipt) if accepted else ("", "")
    flags = flag_texts(policy, accepted.flags) if accepted else []
    return RECEIPT.substitute(
        heading=heading,
        received=say("Report received"),
        save=say("Save your receipt now: it is shown only once."),
        why=say("With it you can follow your report and send follow-ups; nobody can recover it."),
        id_term=say("Report ID"),
        report_id=escape(report_id),
        receipt_term=say("Receipt"),
        receipt=escape(receipt),
        copy=say("Copy receipt"),
        ack_term=say("We acknowledge it by"),
        ack=day(accepted.acknowledge_by if accepted else None),
        protection_term=say("Protection"),
        protection=escape(protection(policy, accepted)),
        flags="".join(f"<li>{escape(text)}</li>" for text in flags),
        follow=follow_form(report_id, receipt),
        or_link=say("Or keep this private link, which carries your receipt:"),
        status_url=escape(accepted.status_url) if accepted else "",
        link=say("your report’s status page"),
    )


def follow_form(report_id: str, receipt: str) -> str:
    """A button that opens the status page: id and receipt travel in the POST body, never
    in a URL."""
    return (
        # A new tab: the receipt stays on screen until the reporter has saved it.
        '<form class="vdp-follow" method="post" action="status" target="_blank">'
        f'<input type="hidden" name="report_id" id="r-follow-id" value="{escape(report_id)}">'
        f'<input type="hidden" name="receipt" id="r-follow-receipt" value="{escape(receipt)}">'
        f'<input type="hidden" name="{LANGUAGE_FIELD}" value="{language.current()}">'
        '<button type="submit">' + say("Follow your report") + "</button></form>"
    )


def protection(policy: Policy, accepted: Accepted | None) -> str:
    """How the report is protected. This page answers a post without JavaScript, so the
    form's script encrypted nothing: a report flagged encrypted holds what the reporter
    encrypted to the team's key themselves. (form.js fills in the blank copy, and says
    "in your browser" only when it encrypted.)"""
    if accepted is not None and ENCRYPTED in accepted.flags:
        return by_reporter_protection(policy)
    return _("Encrypted at rest, on our servers")


def by_reporter_protection(policy: Policy) -> str:
    return _(
        "The parts you encrypted are encrypted to {organisation}’s key {fingerprint}; all "
        "of it is encrypted at rest",
        organisation=policy.organisation.name,
        fingerprint=policy.encryption.fingerprint_grouped(),
    )


def in_browser_protection(policy: Policy) -> str:
    return _(
        "Encrypted in your browser to {organisation}’s key {fingerprint} and at rest",
        organisation=policy.organisation.name,
        fingerprint=policy.encryption.fingerprint_grouped(),
    )


def day(value: date | None) -> str:
    """A date for reporters: written out in the page's language, ISO in the markup."""
    if value is None:
        return ""
    return f'<time datetime="{value.isoformat()}">{escape(language.long_date(value))}</time>'


def unsubscribe_page(policy: Policy, report_id: str, token: str, done: bool) -> str:
    """One-click unsubscribe without JavaScript: a button, then the confirmation."""
    if done:
        no_more = say("You will get no more mail about report {id}.", id=report_id)
        body = ["<h1>" + say("Unsubscribed") + f"</h1><p>{no_more}</p>"]
    else:
        action = escape(f"unsubscribe?report={report_id}&token={token}")
        body = [
            "<h1>" + say("Stop mail about report {id}?", id=report_id) + "</h1>",
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">' + say("Unsubscribe") + "</button></form>",
        ]
    title = _("Mail about {report_id}", report_id=report_id)
    return page_html(f"{title} — {policy.organisation.name}", body, "form.js", policy)


def flag_texts(policy: Policy, flags: list[str]) -> list[str]:
    """What the policy noticed, in words for the reporter."""
    texts = []
    for flag in flags:
        name, _sep, detail = flag.partition(":")
        if name == "unsupported_version":
            texts.append(_("The version you named is not supported any more."))
        elif name == "unrecognised_version":
            texts.append(_("We could not read the version you named as a version number; "
                           "the team will check it."))  # fmt: skip
        elif name == "possibly_out_of_scope":
            texts.append(out_of_scope_text(policy, detail))
    return texts


def out_of_scope_text(policy: Policy, exclusion: str) -> str:
    titles = {e.id: e.title for e in policy.exclusions}
    return _("This may be out of scope: {exclusion}.", exclusion=titles.get(exclusion, exclusion))
