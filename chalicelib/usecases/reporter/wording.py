"""What a reporter reads when a field is refused: a sentence that says what to do, in the
reporter's language, the same in the JSON 422, the JavaScript form and the form without
JavaScript. No library's default text gets through: a refusal this table does not know
becomes a plain "not valid" for its field.

pydantic's error types fall into three kinds (missing or too short, too long, otherwise
invalid); the submission's own validators raise named kinds (`unknown_product`, ...).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chalicelib.domain.errors import UNKNOWN_FIELD, FieldProblem, named_field
from chalicelib.domain.language import N_, _, number
from chalicelib.domain.report.models import FIELD_NAMES

MAX_PROBLEMS = 20  # listed in a 422; a form has fewer fields, so a real one is never cut
MISSING, LONG, INVALID = "missing", "long", "invalid"
_KIND = {
    "missing": MISSING, "string_too_short": MISSING, "too_short": MISSING,
    "string_too_long": LONG, "too_long": LONG, "text_too_long": LONG,
}  # fmt: skip

# Per field: what to write, for each kind of refusal (a missing kind falls back to INVALID).
TEXTS: dict[str, dict[str, str]] = {
    "title": {
        MISSING: N_("Give your report a title of at least 5 characters."),
        LONG: N_("Keep the title to at most 200 characters."),
    },
    "description": {
        MISSING: N_("Describe the vulnerability in at least 20 characters."),
        LONG: N_("Keep the description to at most {limit} characters."),
    },
    "steps_to_reproduce": {LONG: N_("Keep the steps to reproduce to at most {limit} characters.")},
    "impact": {LONG: N_("Keep the impact to at most {limit} characters.")},
    "product": {
        MISSING: N_("Choose the product this report is about."),
        "unknown_product": N_("Choose one of the products listed, or “Other”."),
    },
    "version": {
        INVALID: N_("Give the version you tested as letters, digits and . - + _ ~ only, at "
                    "most 64 characters (for example 2.4.1)."),
    },
    "severity": {INVALID: N_("Choose a severity from the list, or leave it empty.")},
    "cvss_vector": {
        INVALID: N_("Enter a CVSS 3.1 or 4.0 vector, such as CVSS:3.1/AV:N/AC:L/…, or leave it "
                    "empty."),
    },
    "reporter.name": {
        LONG: N_("Keep your name to at most 200 characters."),
        "not_one_line": N_("Write your name on one line, without control or text-direction "
                           "characters."),
    },
    "reporter.email": {
        INVALID: N_("Enter an email address such as name@example.org, or leave it empty."),
    },
    "reporter.pgp_key": {
        INVALID: N_("Paste your PGP public key in ASCII armor (it begins with “-----BEGIN PGP "
                    "PUBLIC KEY BLOCK-----”), or leave it empty."),
    },
    "credit.wants_credit": {MISSING: N_("Say whether you want to be credited.")},
    "credit.name": {
        LONG: N_("Keep the name to credit to at most 100 characters."),
        "not_one_line": N_("Write the name to credit on one line, without control or "
                           "text-direction characters."),
        "anonymous_credit": N_("Anonymous reports are never credited: give your name or email "
                               "under “About you”, or untick “Credit me publicly”."),
    },
    "policy_accepted": {INVALID: N_("Accept the disclosure policy to send your report.")},
    "attachments": {
        "too_many_files": N_("Attach at most {limit} files."),
        "too_many_bytes": N_("Attach at most {megabytes} MB in total."),
    },
    "attachments.filename": {INVALID: N_("Each attachment needs a file name of at most 255 "
                                          "characters.")},
    "attachments.data": {INVALID: N_("Each attachment’s data must be base64-encoded.")},
    "message": {
        MISSING: N_("Write a message."),
        LONG: N_("Keep your message to at most 20,000 characters."),
    },
}  # fmt: skip
# What a field without its own sentence for a kind gets.
FALLBACKS = {
    MISSING: N_("This field is required."),
    LONG: N_("This is too long."),
    INVALID: N_("This value is not valid."),
}
# Refusals that read the same for every field.
COMMON = {
    "extra_forbidden": N_("This field is not part of a report."),
    "bool_type": N_("Send true or false."),
    "pgp_not_one_message": N_("This must be one OpenPGP message and nothing else."),
    "pgp_malformed": N_("This is not a well-formed OpenPGP message."),
    "pgp_not_encrypted": N_("This OpenPGP message is not encrypted (signed or plain messages "
                            "are not)."),
    "pgp_wrong_key": N_("This OpenPGP message is not encrypted to our published key."),
    "pgp_hidden_recipient": N_("This OpenPGP message hides its recipient: encrypt it to our "
                               "published key with the recipient shown (no --throw-keyids "
                               "or --hidden-recipient)."),
    "pgp_too_long": N_("Keep the encrypted text to at most {limit} characters of OpenPGP "
                       "armor."),
}  # fmt: skip


def field_problems(exc: ValidationError) -> list[FieldProblem]:
    """The refusals as dotted field paths and researcher-worded messages; at most
    MAX_PROBLEMS of them, then one line counting the rest."""
    errors = exc.errors(include_input=False, include_url=False)
    problems = [_problem(error) for error in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        more = _("{count} more problems are not listed.", count=number(len(errors) - MAX_PROBLEMS))
        problems.append(FieldProblem("(body)", more))
    return problems


# A refusal reported on another field than the one it was raised on (the one to change).
SHOWN_ON = {"anonymous_credit": "credit.name"}


def _problem(error: Any) -> FieldProblem:
    # Every name through named_field, not only unknown ones: a client's key must never
    # reach an answer, whichever error (now or in a later model) carries it.
    path = [
        str(part) if isinstance(part, int) else named_field(part, FIELD_NAMES)
        for part in error["loc"]
    ]
    field = SHOWN_ON.get(error["type"]) or ".".join(path) or "(body)"
    return FieldProblem(field, message(field, error["type"], error.get("ctx") or {}))


def message(field: str, error_type: str, values: dict[str, Any]) -> str:
    """The sentence for one refusal of `field` (`attachments.0.data` reads as
    `attachments.data`)."""
    generic = ".".join(part for part in field.split(".") if not part.isdigit())
    texts = TEXTS.get(generic, {})
    kind = _KIND.get(error_type, INVALID)
    if UNKNOWN_FIELD in field:
        error_type = "extra_forbidden"
    text = (
        texts.get(error_type)  # the field's own sentence for this refusal
        or texts.get(kind)
        or texts.get(INVALID)
        or COMMON.get(error_type)
        or texts.get(MISSING)  # a wrong type: say what the field wants
        or FALLBACKS[kind]
    )
    limit = values.get("limit", values.get("max_length"))
    known = {"limit": limit, "megabytes": values.get("megabytes")}
    return _(text, **{name: _shown(value) for name, value in known.items() if value is not None})


def _shown(value: Any) -> str:
    return number(value) if isinstance(value, int) else str(value)
