"""Server-rendered pages: the report form, the no-JavaScript receipt and the status page.

Every value is escaped; pages load script and style from /assets (no inline code), so a
CSP with `script-src 'self'; style-src 'self'` holds.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from chalicelib.domain.errors import KEY_REUSED, ValidationFailed, VdpError
from chalicelib.domain.policy import Policy
from chalicelib.web.form.controls import Control, controls, flatten, render_control
from chalicelib.web.form.fields import KEY_FIELD

WEB_DIR = Path(__file__).with_name("static")
ASSET_TYPES = {
    "form.js": "text/javascript; charset=utf-8",
    "status.js": "text/javascript; charset=utf-8",
    "embed.js": "text/javascript; charset=utf-8",
    "form.css": "text/css; charset=utf-8",
    # OpenPGP.js's browser build as published (package.json pins it): the form encrypts to
    # the team's key with it. Served from here, never from a CDN, and loaded with its hash.
    "openpgp.min.js": "text/javascript; charset=utf-8",
}
VENDORED = {"openpgp.min.js": "vendor/openpgp.min.js"}  # flat asset name -> file under static/
BOUNTY = Control("bounty_interest", "I am interested in a bounty for this report", "checkbox")
ACCEPT = Control(
    "policy_accepted", "I have read and accept the disclosure policy", "checkbox", required=True
)


@cache
def web_file(name: str) -> str:
    # Bytes decoded as they are (no newline translation): served exactly as stored.
    return (WEB_DIR / VENDORED.get(name, name)).read_bytes().decode("utf-8")


@cache
def integrity(name: str) -> str:
    """The asset's Subresource Integrity value (SHA-384 of the bytes /assets/ serves)."""
    digest = hashlib.sha384(web_file(name).encode("utf-8")).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


# Refusals after which the very same report may be sent again, under the same key.
RETRY_SAME = frozenset({"conflict", "rate_limited", "unavailable", "proof_required"})
FRESH_FORM = (
    "This form was already sent with other content. This copy is a fresh form: "
    "send it to file a new report."
)


def form_page(
    policy: Policy,
    values: Mapping[str, Any] | None = None,
    error: VdpError | None = None,
    *,
    idempotency_key: str | None = None,
) -> str:
    """The report form; after a failed no-JS post, re-filled and with the errors shown.
    The form carries its own Idempotency-Key: sending it twice (a reload, a double click)
    files one report. A re-fill keeps the key only when the same report may simply be sent
    again (busy, rate limited, storage down); after any other refusal it gets a new one."""
    if error is None or error.code not in RETRY_SAME:
        idempotency_key = None
    flat = {k: v for k, v in flatten(values or {}).items() if k != "website"}
    problems = _problems(error, policy)
    org = escape(policy.organisation.name)
    body = [
        f"<h1>Report a vulnerability to {org}</h1>",
        f'<p class="vdp-lead">Your report is encrypted before it is stored; only {org}’s '
        "security team can read it. We acknowledge every report within "
        f"{policy.sla.ack_business_days} business days.</p>",
        '<p class="vdp-anon"><strong>You can stay anonymous:</strong> leave the contact '
        "fields empty to stay anonymous. You get a receipt to follow your report either way.</p>",
        _error_summary(error, problems),
        _scope(policy),
        f'<form id="vdp-report" class="vdp-form" action="reports" method="post" '
        f'enctype="multipart/form-data" novalidate '
        f'data-max-attachments="{policy.limits.max_attachments}" '
        f'data-max-bytes="{policy.limits.max_attachment_bytes}" '
        f"{_team_key_attributes(policy)}"
        f'data-fresh-form="{escape(FRESH_FORM)}">',
        # Filled in and shown by the form's script once it can encrypt to the team's key.
        '<p class="vdp-e2e" id="vdp-e2e-notice" role="status" hidden></p>',
    ]
    for legend, group in controls(policy).items():
        note = (
            '<p class="vdp-note">Leave these empty to stay anonymous.</p>'
            if "you" in legend
            else ""
        )
        rendered = "".join(render_control(c, flat.get(c.name), problems.get(c.name)) for c in group)
        body.append(f"<fieldset><legend>{escape(legend)}</legend>{note}{rendered}</fieldset>")
    if policy.bounty.enabled:
        terms = f'<p class="vdp-hint">{escape(" ".join(policy.bounty.terms.split()))}</p>'
        control = render_control(BOUNTY, flat.get(BOUNTY.name), problems.get(BOUNTY.name))
        body.append(f"<fieldset><legend>Bug bounty</legend>{terms}{control}</fieldset>")
    key = escape(idempotency_key or secrets.token_urlsafe(16))
    body += [
        _policy_fieldset(policy, flat, problems),
        _honeypot(),
        f'<input type="hidden" name="{KEY_FIELD}" value="{key}" autocomplete="off">',
        _submit(),
        "</form>",
        _openpgp_script(policy),
    ]
    return page_html(
        f"Report a vulnerability — {policy.organisation.name}", body, "form.js", policy
    )


def _team_key_attributes(policy: Policy) -> str:
    """Where the form's script finds the team's key, and the fingerprint it must have."""
    key = policy.encryption
    if not key.pgp_key:
        return ""
    return (
        'data-team-key-url=".well-known/pgp-key.txt" '
        f'data-team-fingerprint="{escape(key.fingerprint_hex())}" '
        f'data-organisation="{escape(policy.organisation.name)}" '
    )


def _openpgp_script(policy: Policy) -> str:
    """OpenPGP.js for the form's script, only when there is a team key to encrypt to.
    Deferred, so it runs before DOMContentLoaded, when form.js starts using it."""
    if not policy.encryption.pgp_key:
        return ""
    name = "openpgp.min.js"
    return f'<script src="assets/{name}" integrity="{integrity(name)}" defer></script>'


def page_html(title: str, body: list[str], script: str, policy: Policy) -> str:
    """A page in the product's shell: its style, one script, the origins that may frame it."""
    return Template(web_file("page.html")).substitute(
        title=escape(title),
        script=script,
        origins=escape(" ".join(policy.web.allowed_origins)),
        body="\n".join(part for part in body if part),
    )


def _problems(error: VdpError | None, policy: Policy) -> dict[str, str]:
    """Field errors keyed by the control that shows them (`attachments.0.data` -> attachments)."""
    names = {c.name for group in controls(policy).values() for c in group}
    names |= {BOUNTY.name, ACCEPT.name}
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
        f'<li><a href="#f-{name.replace(".", "-").replace("_", "-")}">'
        f"{escape(name)}: {escape(message)}</a></li>"
        for name, message in problems.items()
    )
    if isinstance(error, ValidationFailed) and KEY_REUSED in error.fields:
        items += f"<li>{FRESH_FORM}</li>"
    return (
        '<div id="vdp-errors" class="vdp-errors" role="alert" tabindex="-1">'
        f"<h2>Your report was not sent</h2><p>{escape(error.message)}</p><ul>{items}</ul>"
        "<p>Files are not kept: attach them again.</p></div>"
    )


def _scope(policy: Policy) -> str:
    products = "".join(
        f"<dt>{escape(p.name)}</dt>"
        + "".join(
            f"<dd>{escape(v.label or v.range)}: "
            f"{'supported' if v.supported else 'not supported'}</dd>"
            for v in p.versions
        )
        for p in policy.products
    )
    exclusions = "".join(f"<li>{escape(e.title)}</li>" for e in policy.exclusions)
    return (
        '<section class="vdp-scope" aria-labelledby="scope-heading">'
        '<h2 id="scope-heading">Before you report</h2>'
        f'<h3>Products and supported versions</h3><dl class="vdp-versions">{products}</dl>'
        f"<h3>Out of scope</h3><ul>{exclusions}</ul></section>"
    )


def _policy_fieldset(policy: Policy, flat: dict[str, Any], problems: dict[str, str]) -> str:
    url = policy.organisation.policy_url
    link = (
        f' <a href="{escape(url)}" target="_blank" rel="noopener">Read the policy</a>.'
        if url
        else ""
    )
    text = (
        f"We ask you to give us {policy.sla.disclosure_days} days to fix an issue before "
        f"you disclose it, and to respect the safe harbor terms.{link}"
    )
    control = render_control(ACCEPT, flat.get(ACCEPT.name), problems.get(ACCEPT.name))
    legend = "<legend>Disclosure policy</legend>"
    return f'<fieldset>{legend}<p class="vdp-hint">{text}</p>{control}</fieldset>'


def _honeypot() -> str:
    # Hidden from people and screen readers, not type=hidden: bots fill visible-looking fields.
    return (
        '<div class="vdp-hp" aria-hidden="true"><label for="f-website">Leave this empty</label>'
        '<input type="text" id="f-website" name="website" tabindex="-1" autocomplete="off"></div>'
    )


def _submit() -> str:
    return (
        '<button type="submit" class="vdp-submit">Send report</button>'
        '<div id="vdp-live" class="vdp-live" role="status" aria-live="polite"></div>'
    )
