"""The pages a reporter sees after sending: the receipt (no JavaScript), the status page,
and the unsubscribe page; they share the form page's shell (pages.py)."""

from __future__ import annotations

from html import escape
from string import Template

from chalicelib.domain.policy import Policy
from chalicelib.domain.records import Accepted
from chalicelib.web.pages import page_html, web_file


def receipt_page(policy: Policy, accepted: Accepted) -> str:
    """The no-JavaScript answer to a form post: the receipt, shown this once."""
    report_id, receipt = escape(accepted.report_id), escape(accepted.receipt)
    flags = "".join(f"<li>{escape(text)}</li>" for text in flag_texts(policy, accepted.flags))
    body = [
        '<section class="vdp-receipt" aria-labelledby="receipt-heading">',
        '<h1 id="receipt-heading">Report received</h1>',
        '<p class="vdp-alert"><strong>Save your receipt now: it is shown only once.</strong> '
        "With it you can follow your report and send follow-ups; nobody can recover it.</p>",
        f'<dl class="vdp-facts"><dt>Report ID</dt><dd id="r-report-id">{report_id}</dd>'
        f'<dt>Receipt</dt><dd><code id="r-receipt">{receipt}</code> '
        '<button type="button" class="vdp-copy" data-copy="r-receipt" hidden>Copy receipt</button>'
        f"</dd><dt>We acknowledge it by</dt><dd>{accepted.acknowledge_by.isoformat()}</dd>"
        # Sent without JavaScript: nothing was encrypted in the browser.
        '<dt>Protection</dt><dd id="r-protection">Encrypted at rest, on our servers</dd></dl>',
        f'<ul class="vdp-flags">{flags}</ul>' if flags else "",
        f'<p><a id="r-status-link" href="{escape(accepted.status_url)}">Follow your report</a> '
        "(the link carries the receipt; keep it private).</p>",
        "</section>",
    ]
    return page_html("Report received", body, "form.js", policy)


def status_page(policy: Policy) -> str:
    body = Template(web_file("status.html")).substitute(org=escape(policy.organisation.name))
    return page_html(f"Your report — {policy.organisation.name}", [body], "status.js", policy)


def unsubscribe_page(policy: Policy, report_id: str, token: str, done: bool) -> str:
    """One-click unsubscribe without JavaScript: a button, then the confirmation."""
    rid = escape(report_id)
    if done:
        body = [f"<h1>Unsubscribed</h1><p>You will get no more mail about report {rid}.</p>"]
    else:
        action = escape(f"unsubscribe?report={report_id}&token={token}")
        body = [
            f"<h1>Stop mail about report {rid}?</h1>",
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>',
        ]
    return page_html(
        f"Mail about {report_id} — {policy.organisation.name}", body, "form.js", policy
    )


def flag_texts(policy: Policy, flags: list[str]) -> list[str]:
    """What the policy noticed, in words for the reporter."""
    titles = {e.id: e.title for e in policy.exclusions}
    texts = []
    for flag in flags:
        name, _, detail = flag.partition(":")
        if name == "unsupported_version":
            texts.append("The version you named is not supported any more.")
        elif name == "possibly_out_of_scope":
            texts.append(f"This may be out of scope: {titles.get(detail, detail)}.")
    return texts
