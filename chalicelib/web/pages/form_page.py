"""The report form page: the policy's scope, the controls, and, after a refused post
without JavaScript, the same form re-filled with the reasons beside each field."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from html import escape
from typing import Any

from chalicelib.domain import language
from chalicelib.domain.errors import KEY_REUSED, ValidationFailed, VdpError
from chalicelib.domain.language import _, number
from chalicelib.domain.policy.document import Policy
from chalicelib.web.form_fields import FORM_TOKEN_FIELD, KEY_FIELD
from chalicelib.web.pages.form.controls import Control, controls, flatten, render_control
from chalicelib.web.pages.form.texts import fresh_form_text, script_texts
from chalicelib.web.pages.reporter import receipt_section
from chalicelib.web.pages.shell import LANGUAGE_FIELD, Switch, integrity, page_html, say

BOUNTY_NAME, ACCEPT_NAME = "bounty_interest", "policy_accepted"
# Refusals after which the very same report may be sent again, under the same key.
RETRY_SAME = frozenset({"conflict", "rate_limited", "unavailable", "proof_required"})


def form_page(
    policy: Policy,
    values: Mapping[str, Any] | None = None,
    error: VdpError | None = None,
    *,
    idempotency_key: str | None = None,
    form_token: str = "",
) -> str:
    """The report form; after a failed no-JS post, re-filled and with the errors shown.
    The form carries its own Idempotency-Key: sending it twice (a reload, a double click)
    files one report. A re-fill keeps the key only when the same report may simply be sent
    again (busy, rate limited, storage down); after any other refusal it gets a new one.
    `form_token` lets a browser without JavaScript through a proof-of-work check (abuse.py)."""
    if error is None or error.code not in RETRY_SAME:
        idempotency_key = None
    flat = {k: v for k, v in flatten(values or {}).items() if k != "website"}
    problems = _problems(error, policy)
    org = policy.organisation.name
    anonymous = say("You can stay anonymous:")
    how = say("leave the contact fields empty. You get a receipt to follow your report either way.")
    send = say("Send report")
    body = [
        "<h1>" + say("Report a vulnerability to {organisation}", organisation=org) + "</h1>",
        f'<p class="vdp-lead">{escape(_lead(policy))}</p>',
        f'<p class="vdp-anon"><strong>{anonymous}</strong> {how}</p>',
        _error_summary(error, problems),
        _scope(policy),
        _form_open(policy),
        *_fieldsets(policy, flat, problems),
        _policy_fieldset(policy, flat, problems),
        _honeypot(),
        _hidden(KEY_FIELD, idempotency_key or secrets.token_urlsafe(16)),
        _hidden(FORM_TOKEN_FIELD, form_token),
        _hidden(LANGUAGE_FIELD, language.current()),
        f'<button type="submit" class="vdp-submit">{send}</button>'
        '<div id="vdp-live" class="vdp-live" role="status" aria-live="polite"></div></form>',
        f'<template id="vdp-receipt-template">{receipt_section(policy, None)}</template>',
        _openpgp_script(policy),
    ]
    title = _("Report a vulnerability") + f" — {org}"
    return page_html(
        title, body, "form.js", policy, switch=Switch("form"), texts=script_texts(policy)
    )


def _lead(policy: Policy) -> str:
    return _(
        "Your report is encrypted before it is stored; only {organisation}’s security team "
        "can read it. We acknowledge every report within {days} business days.",
        organisation=policy.organisation.name,
        days=policy.sla.ack_business_days,
    )


def _form_open(policy: Policy) -> str:
    key = policy.encryption
    attributes = (
        f'data-team-key-url=".well-known/pgp-key.txt" '
        f'data-team-fingerprint="{escape(key.fingerprint_hex())}" '
        if key.pgp_key
        else ""
    )
    return (
        '<form id="vdp-report" class="vdp-form" action="reports" method="post" '
        'enctype="multipart/form-data" novalidate '
        f'data-max-attachments="{policy.limits.max_attachments}" '
        f'data-max-bytes="{policy.limits.max_attachment_bytes}" {attributes}>'
        # Filled in and shown by the form's script once it can encrypt to the team's key.
        '<p class="vdp-e2e" id="vdp-e2e-notice" role="status" hidden></p>'
    )


def _fieldsets(policy: Policy, flat: dict[str, Any], problems: dict[str, str]) -> list[str]:
    rendered = []
    for legend, group in controls(policy).items():
        about_you = group[0].name.startswith("reporter.")
        note = (
            '<p class="vdp-note">' + say("Leave these empty to stay anonymous.") + "</p>"
            if about_you
            else ""
        )
        inner = "".join(render_control(c, flat.get(c.name), problems.get(c.name)) for c in group)
        rendered.append(f"<fieldset><legend>{escape(legend)}</legend>{note}{inner}</fieldset>")
    if policy.bounty.enabled:
        bounty = Control(BOUNTY_NAME, _("I am interested in a bounty for this report"), "checkbox")
        terms = f'<p class="vdp-hint">{escape(" ".join(policy.bounty.terms.split()))}</p>'
        control = render_control(bounty, flat.get(BOUNTY_NAME), problems.get(BOUNTY_NAME))
        legend = "<legend>" + say("Bug bounty") + "</legend>"
        rendered.append(f"<fieldset>{legend}{terms}{control}</fieldset>")
    return rendered


def _openpgp_script(policy: Policy) -> str:
    """OpenPGP.js for the form's script, only when there is a team key to encrypt to.
    Deferred, so it runs before DOMContentLoaded, when form.js starts using it."""
    if not policy.encryption.pgp_key:
        return ""
    name = "openpgp.min.js"
    return f'<script src="assets/{name}" integrity="{integrity(name)}" defer></script>'


def _problems(error: VdpError | None, policy: Policy) -> dict[str, str]:
    """Field errors keyed by the control that shows them (`attachments.0.data` -> attachments)."""
    names = {c.name for group in controls(policy).values() for c in group}
    names |= {BOUNTY_NAME, ACCEPT_NAME}
    shown: dict[str, str] = {}
    for problem in error.fields if isinstance(error, ValidationFailed) else []:
        path = problem.field.split(".")
        while path and ".".join(path) not in names:
            path.pop()
        if path:
            shown.setdefault(".".join(path), problem.message)
    return shown


def _error_summary(error: VdpError | None, problems: dict[str, str]) -> str:
    if error is None:
        return ""
    items = "".join(
        f'<li><a href="#f-{name.replace(".", "-").replace("_", "-")}">{escape(message)}</a></li>'
        for name, message in problems.items()
    )
    if isinstance(error, ValidationFailed) and KEY_REUSED in error.fields:
        items += f"<li>{escape(fresh_form_text())}</li>"
    heading, again = say("Your report was not sent"), say("Files are not kept: attach them again.")
    return (
        '<div id="vdp-errors" class="vdp-errors" role="alert" tabindex="-1">'
        f"<h2>{heading}</h2><p>{escape(error.message)}</p>"
        f"<ul>{items}</ul><p>{again}</p></div>"
    )


def _scope(policy: Policy) -> str:
    supported, unsupported = say("supported"), say("not supported")
    products = "".join(
        f"<dt>{escape(p.name)}</dt>"
        + "".join(
            f"<dd>{escape(v.label or v.range)}: {supported if v.supported else unsupported}</dd>"
            for v in p.versions
        )
        for p in policy.products
    )
    exclusions = "".join(f"<li>{escape(e.title)}</li>" for e in policy.exclusions)
    before, versions = say("Before you report"), say("Products and supported versions")
    return (
        '<section class="vdp-scope" aria-labelledby="scope-heading">'
        f'<h2 id="scope-heading">{before}</h2><h3>{versions}</h3>'
        f'<dl class="vdp-versions">{products}</dl>'
        "<h3>" + say("Out of scope") + f"</h3><ul>{exclusions}</ul></section>"
    )


def _policy_fieldset(policy: Policy, flat: dict[str, Any], problems: dict[str, str]) -> str:
    url = policy.web.policy_link or policy.organisation.policy_url
    link = (
        f' <a href="{escape(url)}" target="_blank" rel="noopener">'
        + say("Read the policy")
        + "</a>."
        if url
        else ""
    )
    text = _(
        "We ask you to give us {days} days to fix an issue before you disclose it, and to "
        "respect the safe harbor terms.",
        days=number(policy.sla.disclosure_days),
    )
    accept = Control(
        ACCEPT_NAME, _("I have read and accept the disclosure policy"), "checkbox", required=True
    )
    control = render_control(accept, flat.get(ACCEPT_NAME), problems.get(ACCEPT_NAME))
    legend = "<legend>" + say("Disclosure policy") + "</legend>"
    return f'<fieldset>{legend}<p class="vdp-hint">{escape(text)}{link}</p>{control}</fieldset>'


def _honeypot() -> str:
    # Hidden from people and screen readers, not type=hidden: bots fill visible-looking fields.
    return (
        '<div class="vdp-hp" aria-hidden="true">'
        '<label for="f-website">' + say("Leave this empty") + "</label>"
        '<input type="text" id="f-website" name="website" tabindex="-1" autocomplete="off"></div>'
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}" autocomplete="off">'
