"""The policy page (SECURITY.md or HTML) rendered from policy.toml: one source, two formats."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from chalicelib.domain.policy import Policy

# Each block is a paragraph, a bullet list ("- " lines) or a table (rows of cells).
Block = str | list[str] | list[list[str]]


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Block]


def sections(policy: Policy, form_url: str) -> list[Section]:
    org = policy.organisation
    return [
        Section(
            "Reporting a vulnerability",
            [
                f"Please report security vulnerabilities in {org.name} products privately:",
                [f"the report form: {form_url}", f"email: {policy.contacts.email}"],
                "Leave the contact fields empty to stay anonymous; you will still get a receipt "
                "to follow your report.",
            ],
        ),
        Section(
            "What to include",
            [
                [
                    "the affected product and version",
                    "a description of the vulnerability and its impact",
                    "steps to reproduce, and a proof of concept if you have one",
                    "a CVSS vector if you have assessed the severity",
                    "how you would like to be credited, if at all",
                ]
            ],
        ),
        Section("Encrypting your report", _encryption(policy)),
        Section("Supported versions", [_versions_table(policy)]),
        Section("Our disclosure process", [_process(policy)]),
        Section("Bug bounty", _bounty(policy)),
        Section("Out of scope", [[exclusion.title for exclusion in policy.exclusions]]),
        Section("Safe harbor", [" ".join(policy.safe_harbor.split())]),
    ]


def render_markdown(policy: Policy, form_url: str) -> str:
    lines = [f"# Security policy — {policy.organisation.name}", ""]
    for section in sections(policy, form_url):
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _markdown_block(block) + [""]
    return "\n".join(lines)


def render_html(policy: Policy, form_url: str, api: str | None = None) -> str:
    """The policy page; with `api` (the vdp API's URL) it embeds the report form.

    `examples/policy-site/index.html` is this page rendered with api="{{VDP_API}}".
    """
    name = html.escape(policy.organisation.name)
    title = f"Security policy — {name}"
    rendered = [(_anchor(section.title), section) for section in sections(policy, form_url)]
    nav = "".join(f'<li><a href="#{a}">{html.escape(s.title)}</a></li>' for a, s in rendered)
    body = [
        f'<header class="site-header"><p class="site-name">{name}</p></header>',
        f"<main>\n<h1>{title}</h1>",
        f'<nav aria-label="On this page"><ul>{nav}'
        + ('<li><a href="#report">Report a vulnerability</a></li>' if api else "")
        + "</ul></nav>",
    ]
    for anchor, section in rendered:
        body.append(f'<section id="{anchor}">\n<h2>{html.escape(section.title)}</h2>')
        body += [_html_block(block) for block in section.blocks]
        body.append("</section>")
    if api:
        body.append(_report_section(html.escape(api)))
    body.append("</main>")
    if api:
        body.append(
            '<footer class="site-footer"><p>Machine-readable contact: '
            f'<a href="{html.escape(api)}/.well-known/security.txt">security.txt</a></p></footer>'
        )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{title}</title>\n<link rel="icon" href="data:,">\n'
        '<link rel="stylesheet" href="site.css">\n</head>\n<body>\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _report_section(api: str) -> str:
    # The form is served by the vdp API and embedded by its embed.js; without scripts the
    # links still work.
    return (
        '<section id="report" aria-labelledby="report-heading">\n'
        '<h2 id="report-heading">Report a vulnerability</h2>\n<div id="vdp-form"></div>\n'
        f'<p class="site-note">The form does not load (scripts off)? You can <a href="{api}/form">'
        f'open the report form</a>. Follow a report you sent: <a href="{api}/status">status '
        "page</a>.</p>\n"
        f'<script src="{api}/embed.js" data-target="#vdp-form" async></script>\n</section>'
    )


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _process(policy: Policy) -> list[str]:
    sla, fix = policy.sla, policy.sla.fix_days
    return [
        f"We acknowledge your report within {sla.ack_business_days} business days.",
        f"We triage it within {sla.triage_business_days} business days and keep you informed.",
        f"We aim to fix it within {fix.critical} days (critical), {fix.high} days (high), "
        f"{fix.medium} days (medium) or {fix.low} days (low).",
        f"We publish an advisory within {sla.disclosure_days} days of your report; please "
        "do not disclose before it is fixed or that deadline has passed.",
        "We credit you in the advisory and our acknowledgments unless you prefer not to be.",
    ]


def _encryption(policy: Policy) -> list[Block]:
    key = policy.encryption
    if not (key.pgp_key_url or key.pgp_fingerprint):
        return ["Reports are encrypted at rest as soon as they reach us."]
    blocks: list[Block] = ["Encrypt sensitive details with our PGP key; armored messages are "
                           "accepted in the description."]  # fmt: skip
    if key.pgp_key:
        blocks.append("With JavaScript, the form encrypts your report and files to this key in "
                      "your browser, before they are sent.")  # fmt: skip
    details = [f"key: {key.pgp_key_url}"] if key.pgp_key_url else []
    details += [f"fingerprint: {key.pgp_fingerprint}"] if key.pgp_fingerprint else []
    return blocks + ([details] if details else [])


def _versions_table(policy: Policy) -> list[list[str]]:
    rows = [["Product", "Versions", "Supported"]]
    for product in policy.products:
        for entry in product.versions:
            label = entry.label or entry.range
            rows.append([product.name, label, "yes" if entry.supported else "no"])
    return rows


def _bounty(policy: Policy) -> list[Block]:
    if not policy.bounty.enabled:
        return ["We do not run a bug bounty; we credit every valid report."]
    return ["We run a bug bounty.", " ".join(policy.bounty.terms.split())]


def _markdown_block(block: Block) -> list[str]:
    if isinstance(block, str):
        return [block]
    if block and isinstance(block[0], list):
        rows = [" | ".join(cells) for cells in block]
        return [f"| {rows[0]} |", "|" + "---|" * len(block[0])] + [f"| {r} |" for r in rows[1:]]
    return [f"- {item}" for item in block]


def _html_block(block: Block) -> str:
    if isinstance(block, str):
        return f"<p>{html.escape(block)}</p>"
    if block and isinstance(block[0], list):
        head, *rows = block
        cells = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>{body}</tbody>\n</table>"
    return "<ul>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in block) + "</ul>"
