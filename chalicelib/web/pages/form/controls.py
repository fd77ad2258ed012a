"""The report form's controls, rendered from the policy; every value is escaped.

Controls are named as the API's fields (see web/form_fields.py for the convention), so the
same form posts without JavaScript and, through form.js, as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from chalicelib.domain.language import _, number
from chalicelib.domain.policy.document import Policy

SEVERITIES = ("", "critical", "high", "medium", "low", "none", "unknown")


@dataclass(frozen=True)
class Control:
    name: str
    label: str
    kind: str = "text"  # text, email, textarea, select, checkbox, file
    required: bool = False
    hint: str = ""
    min_length: int | None = None
    max_length: int | None = None
    options: tuple[tuple[str, str], ...] = ()
    autocomplete: str = "off"
    checked: bool = False  # a checkbox ticked on a fresh form

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


def controls(policy: Policy) -> dict[str, list[Control]]:
    """The form's fieldsets, in order, each a list of controls (in the current language)."""
    products = tuple((p.id, p.name) for p in policy.products) + (("other", _("Other")),)
    mib = policy.limits.max_attachment_bytes / (1024 * 1024)
    severities = {
        "": _("Not sure"), "critical": _("Critical"), "high": _("High"),
        "medium": _("Medium"), "low": _("Low"), "none": _("None"), "unknown": _("Unknown"),
    }  # fmt: skip
    return {
        _("The vulnerability"): [
            Control("title", _("Title"), required=True, min_length=5, max_length=200,
                    hint=_("A short summary, for example “Stored XSS in profile names”.")),
            Control("product", _("Product"), "select", required=True,
                    options=(("", _("Choose a product")), *products)),
            Control("version", _("Version"), max_length=64,
                    hint=_("The version you tested; supported versions are listed above.")),
            Control("severity", _("Your severity estimate"), "select",
                    options=tuple((s, severities[s]) for s in SEVERITIES)),
            Control("cvss_vector", _("CVSS vector"), max_length=200,
                    hint=_("Optional. CVSS 3.1 or 4.0, for example {example}",
                           example="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")),
            Control("description", _("Description"), "textarea", required=True, min_length=20,
                    max_length=50_000, hint=_("What is vulnerable and how. You may paste an "
                    "ASCII-armored PGP message encrypted to our key instead.")),
            Control("steps_to_reproduce", _("Steps to reproduce"), "textarea",
                    max_length=50_000),
            Control("impact", _("Impact"), "textarea", max_length=20_000,
                    hint=_("What an attacker could do with it.")),
            Control("attachments", _("Attachments"), "file",
                    hint=_("Up to {count} files, {megabytes} MB in total. Each file is "
                           "encrypted separately.", count=policy.limits.max_attachments,
                           megabytes=f"{mib:g}")),
        ],
        _("About you (optional)"): [
            Control("reporter.name", _("Your name"), max_length=200, autocomplete="name"),
            Control("reporter.email", _("Email"), "email", max_length=254, autocomplete="email",
                    hint=_("Only the security team sees it, to ask you questions.")),
            Control("reporter.email_updates", _("Email me about this report"), "checkbox",
                    checked=True, hint=_("When it is received, acknowledged, answered, "
                    "changes status or is disclosed. Every mail has a one-click unsubscribe.")),
            Control("reporter.pgp_key", _("Your PGP public key"), "textarea",
                    max_length=100_000,
                    hint=_("ASCII-armored, if you want our replies encrypted.")),
        ],
        _("Credit"): [
            Control("credit.wants_credit", _("Credit me publicly when the issue is disclosed"),
                    "checkbox"),
            Control("credit.name", _("Name to credit"), max_length=100,
                    hint=_("A name or handle; empty means the name above.")),
        ],
    }  # fmt: skip


def render_control(control: Control, value: Any, error: str | None) -> str:
    """One labelled control with its hint, counter and error, linked by aria-describedby."""
    described = [f"{control.id}-hint"] if control.hint else []
    if control.kind == "textarea" or (control.max_length or 0) >= 200:
        described.append(f"{control.id}-count")
    if error:
        described.append(f"{control.id}-error")
    attrs = _attrs(control, described, error)
    label = escape(control.label) + (
        ' <span class="vdp-required">(' + escape(_("required")) + ")</span>"
        if control.required
        else ""
    )
    widget = _widget(control, value, attrs, label)
    parts = [
        f'<label for="{control.id}">{label}</label>' if control.kind != "checkbox" else "",
        f'<p class="vdp-hint" id="{control.id}-hint">{escape(control.hint)}</p>'
        if control.hint
        else "",
        f'<p class="vdp-error" id="{control.id}-error">{escape(error)}</p>' if error else "",
        widget,
    ]
    if f"{control.id}-count" in described:
        parts.append(
            f'<p class="vdp-count" id="{control.id}-count" data-max="{control.max_length}">'
            + escape(_("Up to {count} characters.", count=number(control.max_length or 0)))
            + "</p>"
        )
    kind = "vdp-check" if control.kind == "checkbox" else "vdp-field"
    return f'<div class="{kind}" data-field="{control.name}">{"".join(parts)}</div>'


def _attrs(control: Control, described: list[str], error: str | None) -> str:
    attrs = [f'id="{control.id}"', f'name="{escape(control.name)}"']
    if control.required:
        attrs.append('required aria-required="true"')
    if control.max_length and control.kind not in ("select", "checkbox", "file"):
        attrs.append(f'maxlength="{control.max_length}"')
    if control.min_length:
        attrs.append(f'minlength="{control.min_length}"')
    if described:
        attrs.append(f'aria-describedby="{" ".join(described)}"')
    if error:
        attrs.append('aria-invalid="true"')
    if control.kind in ("text", "email", "textarea"):
        attrs.append(f'autocomplete="{control.autocomplete}"')
    return " ".join(attrs)


def _widget(control: Control, value: Any, attrs: str, label: str) -> str:
    text = "" if value is None or isinstance(value, bool) else escape(str(value))
    if control.kind == "textarea":
        return f'<textarea {attrs} rows="6">{text}</textarea>'
    if control.kind == "select":
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if v == value else ""}>{escape(t)}</option>'
            for v, t in control.options
        )
        return f"<select {attrs}>{options}</select>"
    if control.kind == "checkbox":
        checked = " checked" if value is True or (value is None and control.checked) else ""
        return (
            f'<input type="checkbox" value="true" {attrs}{checked}>'
            f'<label for="{control.id}">{label}</label>'
        )
    if control.kind == "file":
        return f'<input type="file" multiple {attrs}>'
    return f'<input type="{control.kind}" {attrs} value="{text}">'


def flatten(fields: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested submission fields back to control names (`reporter.email`)."""
    flat: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
