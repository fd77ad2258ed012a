"""The public acknowledgments page: the researchers the team credited, in the shell every
reporter page shares (the same list as JSON for `Accept: application/json`)."""

from __future__ import annotations

from html import escape

from chalicelib.domain.language import _
from chalicelib.domain.policy.document import Policy
from chalicelib.usecases.team.credits import PublishedCredit
from chalicelib.web.pages.reporter import day
from chalicelib.web.pages.shell import Switch, page_html, say


def acknowledgments_page(policy: Policy, credits: list[PublishedCredit]) -> str:
    organisation = policy.organisation.name
    items = "".join(
        f'<li><span class="vdp-credit">{escape(credit.name)}</span> {day(credit.date)}</li>'
        for credit in credits
    )
    none_yet = say("No researcher has been credited yet.")
    thanks = say(
        "{organisation} thanks these researchers for reporting vulnerabilities responsibly.",
        organisation=organisation,
    )
    body = [
        "<h1>" + say("Security acknowledgments") + "</h1>",
        f'<p class="vdp-lead">{thanks}</p>',
        f'<ul class="vdp-credits">{items}</ul>' if credits else f"<p>{none_yet}</p>",
        '<p><a href="form">' + say("Report a vulnerability") + "</a></p>",
    ]
    title = _("Security acknowledgments") + f" — {organisation}"
    return page_html(title, body, "form.js", policy, switch=Switch("acknowledgments"))
