"""The pages a reporter sees after sending: the receipt (the same markup with and without
JavaScript: form.js fills in a blank copy) and the unsubscribe page."""

from __future__ import annotations

from datetime import date
from html import escape

from chalicelib.domain import language
from chalicelib.domain.language import _
from chalicelib.domain.policy import Policy
from chalicelib.domain.records import Accepted
from chalicelib.web.shell import LANGUAGE_FIELD, page_html, say

IN_BROWSER = "encrypted"  # the flag of a report whose content was encrypted in the browser


def receipt_page(policy: Policy, accepted: Accepted) -> str:
    """The no-JavaScript answer to a form post: the receipt, shown this once. No language
    switch: leaving this page would lose the receipt."""
    body = [receipt_section(policy, accepted, heading="h1")]
    return page_html(_("Report received"), body, "form.js", policy)


def receipt_section(policy: Policy, accepted: Accepted | None, heading: str = "h2") -> str:
    """The receipt; with `accepted` None, the blank copy form.js fills in after a JSON 201."""
    report_id, receipt = (accepted.report_id, accepted.receipt) if accepted else ("", "")
    flags = flag_texts(policy, accepted.flags) if accepted else []
    status_url = escape(accepted.status_url) if accepted else ""
    copy = f'<button type="button" class="vdp-copy" data-copy="r-receipt" hidden>{say("Copy receipt")}</button>'  # noqa: E501
    facts = (
        f'<dt>{say("Report ID")}</dt><dd id="r-report-id">{escape(report_id)}</dd>'
        f'<dt>{say("Receipt")}</dt><dd><code id="r-receipt">{escape(receipt)}</code> {copy}</dd>'
        f"<dt>{say('We acknowledge it by')}</dt>"
        f'<dd id="r-ack">{day(accepted.acknowledge_by if accepted else None)}</dd>'
        f"<dt>{say('Protection')}</dt>"
        f'<dd id="r-protection">{escape(protection(policy, accepted))}</dd>'
    )
    noticed = "".join(f"<li>{escape(text)}</li>" for text in flags)
    return (
        '<section class="vdp-receipt" id="vdp-receipt" aria-labelledby="receipt-heading">'
        f'<{heading} id="receipt-heading" tabindex="-1">{say("Report received")}</{heading}>'
        f'<p class="vdp-alert"><strong>{say("Save your receipt now: it is shown only once.")}'
        f"</strong> {say('With it you can follow your report and send follow-ups; nobody can recover it.')}</p>"  # noqa: E501
        f'<dl class="vdp-facts">{facts}</dl><ul class="vdp-flags" id="r-flags">{noticed}</ul>'
        f"{follow_form(report_id, receipt)}"
        f'<p class="vdp-hint">{say("Or keep this private link, which carries your receipt:")} '
        f'<a id="r-status-link" href="{status_url}">{say("your report’s status page")}</a>.</p>'
        "</section>"
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
        f'<button type="submit">{say("Follow your report")}</button></form>'
    )


def protection(policy: Policy, accepted: Accepted | None) -> str:
    """How the report is protected: sent without JavaScript, nothing was encrypted in the
    browser (the blank copy says so too; form.js replaces it when it encrypted)."""
    if accepted is not None and IN_BROWSER in accepted.flags:
        return in_browser_protection(policy)
    return _("Encrypted at rest, on our servers")


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
        body = [
            f"<h1>{escape(_('Unsubscribed'))}</h1>"
            f"<p>{say('You will get no more mail about report {id}.', id=report_id)}</p>"
        ]
    else:
        action = escape(f"unsubscribe?report={report_id}&token={token}")
        body = [
            f"<h1>{say('Stop mail about report {id}?', id=report_id)}</h1>",
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{say("Unsubscribe")}</button></form>',
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
        elif name == "possibly_out_of_scope":
            texts.append(out_of_scope_text(policy, detail))
    return texts


def out_of_scope_text(policy: Policy, exclusion: str) -> str:
    titles = {e.id: e.title for e in policy.exclusions}
    return _("This may be out of scope: {exclusion}.", exclusion=titles.get(exclusion, exclusion))
