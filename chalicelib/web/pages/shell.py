"""The frame every reporter page shares: the product's style, the organisation with a link
back to its policy, the language switch, one script, and the texts that script shows.

Every value is escaped; pages load script and style from /assets (no inline code), so a
CSP with `script-src 'self'; style-src 'self'` holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from chalicelib.domain import language
from chalicelib.domain.language import _
from chalicelib.domain.policy.document import Policy

WEB_DIR = Path(__file__).parent.parent / "static"
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
LANGUAGE_FIELD = "lang"  # a page's query parameter, and a form's hidden field


def say(message: str, /, **values: object) -> str:
    """`_()` for markup: the text in the current language, escaped (`make messages`
    extracts it like `_`)."""
    return escape(_(message, **values))


@cache
def web_file(name: str) -> str:
    # Bytes decoded as they are (no newline translation): served exactly as stored.
    return (WEB_DIR / VENDORED.get(name, name)).read_bytes().decode("utf-8")


@cache
def integrity(name: str) -> str:
    """The asset's Subresource Integrity value (SHA-384 of the bytes /assets/ serves)."""
    digest = hashlib.sha384(web_file(name).encode("utf-8")).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Switch:
    """How the page offers its other languages: links to `page` (a GET page), or, for a
    page that answers a POST, buttons that post `fields` again to `page`."""

    page: str
    fields: Mapping[str, str] | None = None


def page_html(
    title: str,
    body: Sequence[str],
    script: str,
    policy: Policy,
    *,
    switch: Switch | None = None,
    texts: Mapping[str, object] | None = None,
) -> str:
    """A page in the product's shell, in the current language."""
    return Template(web_file("page.html")).substitute(
        lang=language.current(),
        title=escape(title),
        script=script,
        origins=escape(" ".join(policy.web.allowed_origins)),
        texts=escape(json.dumps(texts or {}, ensure_ascii=False)),
        header=_header(policy, switch),
        body="\n".join(part for part in body if part),
    )


def _header(policy: Policy, switch: Switch | None) -> str:
    org, site = escape(policy.organisation.name), policy.organisation.website
    url = policy.web.policy_link or policy.organisation.policy_url
    name = f'<a href="{escape(site)}">{org}</a>' if site else org
    policy_link = (
        f'<a class="vdp-policy-link" href="{escape(url)}">' + say("Disclosure policy") + "</a>"
        if url
        else ""
    )
    return (
        f'<header class="vdp-header"><p class="vdp-org">{name}</p>'
        f"{policy_link}{_switch(policy, switch)}</header>"
    )


def _switch(policy: Policy, switch: Switch | None) -> str:
    others = [code for code in policy.languages if code != language.current()]
    if switch is None or not others:
        return ""
    label = escape(_("Language"))
    if switch.fields is None:
        items = "".join(
            f'<li><a href="{escape(switch.page)}?{LANGUAGE_FIELD}={code}" lang="{code}" '
            f'hreflang="{code}">{escape(language_name(code))}</a></li>'
            for code in others
        )
        return f'<nav class="vdp-languages" aria-label="{label}"><ul>{items}</ul></nav>'
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in switch.fields.items()
    )
    buttons = "".join(
        f'<button type="submit" name="{LANGUAGE_FIELD}" value="{code}" lang="{code}" '
        f'class="vdp-link-button">{escape(language_name(code))}</button>'
        for code in others
    )
    return (
        f'<form class="vdp-languages" method="post" action="{escape(switch.page)}" '
        f'aria-label="{label}">{hidden}{buttons}</form>'
    )


@cache
def language_name(code: str) -> str:
    """A language as its own speakers name it (Deutsch, English)."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
