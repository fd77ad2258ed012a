"""What the form's script says, in the page's language: the page hands it these texts (the
body's data-texts attribute), so form.js holds no words of its own. Its field messages are
the server's own (wording.py): a check made in the browser reads as the server's would."""

from __future__ import annotations

from chalicelib.domain.language import _
from chalicelib.domain.policy.document import Policy
from chalicelib.usecases.reporter.wording import LONG, MISSING, message
from chalicelib.web.pages.reporter import (
    by_reporter_protection,
    flag_texts,
    in_browser_protection,
    out_of_scope_text,
)

# Checked in the browser, in characters, before encrypting: the plain limits (models.py's
# TEXT_LIMITS). The server sees only ciphertext of these, and checks its armored size.
ENCRYPTED_FIELDS = {"description": 50_000, "steps_to_reproduce": 50_000, "impact": 20_000}


def script_texts(policy: Policy) -> dict[str, object]:
    return {
        **_progress(),
        **_team_key(policy),
        "in_browser": in_browser_protection(policy),
        "by_reporter": by_reporter_protection(policy),
        "flags": _flags(policy),
        "fields": {
            name: {
                "missing": message(name, MISSING, {}),
                "long": message(name, LONG, {"limit": limit}),
            }
            for name, limit in ENCRYPTED_FIELDS.items()
        },
        "too_many_files": message(
            "attachments", "too_many_files", {"limit": policy.limits.max_attachments}
        ),
        "too_many_bytes": message(
            "attachments",
            "too_many_bytes",
            {"megabytes": f"{policy.limits.max_attachment_bytes / 1_048_576:g}"},
        ),
    }


def fresh_form_text() -> str:
    return _(
        "This form was already sent with other content. This copy is a fresh form: "
        "send it to file a new report."
    )


def _progress() -> dict[str, str]:
    return {
        "count": _("{count} of {max} characters"),
        "checking": _("Checking that you are not a bot (a few seconds)…"),
        "encrypting": _("Encrypting your report…"),
        "sending": _("Sending your report…"),
        "sent": _("Report sent."),
        "heading": _("Your report was not sent"),
        "not_sent": _("Your report was not sent."),
        "invalid": _("Some fields are missing or invalid."),
        "failed": _("Something went wrong; please try again."),
        "offline": _("The report could not be sent; check your connection and try again."),
        "fresh_form": fresh_form_text(),
        "copied": _("Receipt copied."),
        "copied_button": _("Copied"),
        "select": _("Receipt selected: press Ctrl+C (or Cmd+C) to copy it."),
    }


def _team_key(policy: Policy) -> dict[str, str]:
    if not policy.encryption.pgp_key:
        return {}
    values = {
        "organisation": policy.organisation.name,
        "fingerprint": policy.encryption.fingerprint_grouped(),
    }
    return {
        "notice_headline": _(
            "Encrypted in your browser to {organisation}’s key {fingerprint}", **values
        ),
        "notice": _(
            "Description, steps to reproduce, impact and attachments are encrypted on this "
            "page before they are sent: only {organisation}’s security team can read them. "
            "The title and the other fields are not, so keep the details out of the title.",
            **values,
        ),
        "key_unreachable": _(
            "{organisation}’s key {fingerprint}, to encrypt your report in your browser, could "
            "not be fetched. Check your connection and try again.",
            **values,
        ),
        "key_retry": _(
            "{organisation}’s key {fingerprint} could not be fetched yet. It is fetched again "
            "when you send: your report is encrypted to it in your browser, or not sent.",
            **values,
        ),
        "key_wrong": _(
            "The key this page received is not {organisation}’s key {fingerprint}, so your "
            "report cannot be encrypted to it. Nothing was sent. Please try again later, or "
            "contact {organisation} another way.",
            **values,
        ),
        "key_refused": _(
            "The key this page received is not {organisation}’s key {fingerprint}: your report "
            "cannot be encrypted in your browser, and this form will not send it.",
            **values,
        ),
        "no_library": _(
            "Your browser cannot encrypt your report to {organisation}’s key {fingerprint} "
            "here: it is encrypted at rest, on our servers, as without JavaScript.",
            **values,
        ),
    }


def _flags(policy: Policy) -> dict[str, str]:
    texts = {
        flag: flag_texts(policy, [flag])[0]
        for flag in ("unsupported_version", "unrecognised_version")
    }
    for exclusion in policy.exclusions:
        texts[f"possibly_out_of_scope:{exclusion.id}"] = out_of_scope_text(policy, exclusion.id)
    return texts
