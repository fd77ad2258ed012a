"""The policy page (SECURITY.md or HTML) rendered from policy.toml: one source, two formats."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from chalicelib.domain.policy.document import Policy

# `vdp serve` replaces this with the API's address when it serves a page rendered with it
# as `api`: examples/policy-site/index.html is such a template.
API_PLACEHOLDER = "{{VDP_API}}"
# An http(s) address in policy text, without the punctuation that ends a sentence.
ADDRESS = re.compile(r"(https?://[^\s<>\"]*[^\s<>\".,;:!?')\]])")


@dataclass(frozen=True)
class Link:
    """A labelled address: a link in HTML, plain text in Markdown (which links it itself)."""

    label: str
    href: str
    text: str = ""  # what the page shows; the address itself by default

    def plain(self) -> str:
        return f"{self.label}: {self.text or self.href}"


@dataclass(frozen=True)
class Table:
    head: list[str]
    rows: list[list[str]]


Item = str | Link
# Each block is a paragraph, a bullet list ("- " lines) or a table.
Block = str | list[Item] | Table


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
                [
                    Link("the report form", form_url),
                    Link("email", f"mailto:{policy.contacts.email}", policy.contacts.email),
                ],
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
    """The policy page; with `api` (the vdp API's URL, or API_PLACEHOLDER) it embeds the
    report form. Every address it shows is a link."""
    title = f"Security policy — {html.escape(policy.organisation.name)}"
    rendered = [(_anchor(section.title), section) for section in sections(policy, form_url)]
    contents = [(anchor, section.title) for anchor, section in rendered]
    contents += [("report", "Report a vulnerability")] if api else []
    nav = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t in contents)
    body = [
        _header(policy, "#report" if api else form_url),
        f"<main>\n<h1>{title}</h1>",
        f'<nav aria-label="On this page"><ul>{nav}</ul></nav>',
    ]
    body += [_html_section(anchor, section) for anchor, section in rendered]
    body += [_report_section(api)] if api else []
    body += ["</main>", _footer(policy, api)]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{title}</title>\n<link rel="icon" href="data:,">\n'
        '<link rel="stylesheet" href="site.css">\n</head>\n<body>\n'
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _header(policy: Policy, report_href: str) -> str:
    # As on vdp's own pages: the organisation, linked to its website, then where to go next.
    org = policy.organisation
    name = _a(org.website, org.name) if org.website else html.escape(org.name)
    return (
        f'<header class="vdp-header"><p class="vdp-org">{name}</p>'
        f"{_a(report_href, 'Report a vulnerability')}</header>"
    )


def _footer(policy: Policy, api: str | None) -> str:
    security_txt = (
        f"{api}/.well-known/security.txt" if api else policy.organisation.security_txt_url
    )
    if not security_txt:
        return ""
    link = _a(security_txt, "security.txt")
    return f'<footer class="site-footer"><p>Machine-readable contact: {link}</p></footer>'


def _report_section(api: str) -> str:
    # The form is served by the vdp API and embedded by its embed.js; without scripts the
    # links still work.
    return (
        '<section id="report" aria-labelledby="report-heading">\n'
        '<h2 id="report-heading">Report a vulnerability</h2>\n<div id="vdp-form"></div>\n'
        '<p class="site-note">The form does not load (scripts off)? You can '
        f"{_a(f'{api}/form', 'open the report form')}. Follow a report you sent: "
        f"{_a(f'{api}/status', 'status page')}.</p>\n"
        f'<script src="{html.escape(api)}/embed.js" data-target="#vdp-form" async></script>\n'
        "</section>"
    )


def _anchor(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _process(policy: Policy) -> list[Item]:
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
    details: list[Item] = [Link("key", key.pgp_key_url)] if key.pgp_key_url else []
    details += [f"fingerprint: {key.pgp_fingerprint}"] if key.pgp_fingerprint else []
    return blocks + ([details] if details else [])


def _versions_table(policy: Policy) -> Table:
    rows = []
    for product in policy.products:
        for entry in product.versions:
            label = entry.label or entry.range
            rows.append([product.name, label, "yes" if entry.supported else "no"])
    return Table(["Product", "Versions", "Supported"], rows)


def _bounty(policy: Policy) -> list[Block]:
    if not policy.bounty.enabled:
        return ["We do not run a bug bounty; we credit every valid report."]
    return ["We run a bug bounty.", " ".join(policy.bounty.terms.split())]


def _markdown_block(block: Block) -> list[str]:
    if isinstance(block, str):
        return [block]
    if isinstance(block, Table):
        rows = [" | ".join(cells) for cells in [block.head, *block.rows]]
        return [f"| {rows[0]} |", "|" + "---|" * len(block.head)] + [f"| {r} |" for r in rows[1:]]
    return [f"- {item.plain() if isinstance(item, Link) else item}" for item in block]


def _html_section(anchor: str, section: Section) -> str:
    blocks = "\n".join(_html_block(block) for block in section.blocks)
    return f'<section id="{anchor}">\n<h2>{html.escape(section.title)}</h2>\n{blocks}\n</section>'


def _html_block(block: Block) -> str:
    if isinstance(block, str):
        return f"<p>{_linked(block)}</p>"
    if isinstance(block, Table):
        cells = "".join(f'<th scope="col">{_linked(c)}</th>' for c in block.head)
        body = "".join(
            "<tr>" + "".join(f"<td>{_linked(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>{body}</tbody>\n</table>"
    return "<ul>" + "".join(f"<li>{_html_item(item)}</li>" for item in block) + "</ul>"


def _html_item(item: Item) -> str:
    if isinstance(item, Link):
        return f"{html.escape(item.label)}: {_a(item.href, item.text)}"
    return _linked(item)


def _linked(text: str) -> str:
    """The text escaped, each http(s) address in it a link."""
    pieces = ADDRESS.split(text)  # one capturing group: the odd pieces are the addresses
    return "".join(_a(p) if index % 2 else html.escape(p) for index, p in enumerate(pieces))


def _a(href: str, text: str = "") -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text or href)}</a>'
