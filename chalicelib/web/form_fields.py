"""HTML form bodies -> the submission's fields (the path that works without JavaScript).

Naming convention (also in the README): controls are named as the API's fields, nested
ones with a dot (`reporter.email`, `credit.name`); the checkboxes `policy_accepted`,
`bounty_interest` and `credit.wants_credit` send "true" when ticked and nothing when not,
so an absent one is false; files come from `attachments` inputs (multipart only). A nested
object whose controls are all empty is left out: empty contact fields mean anonymous.
Parsing is python-multipart's, for urlencoded and multipart bodies alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from chalicelib.domain.errors import (
    UNKNOWN_FIELD,
    BadJson,
    FieldProblem,
    ValidationFailed,
    named_field,
)
from chalicelib.domain.language import _
from chalicelib.domain.report.models import FIELD_NAMES, MAX_KEYS, TOO_MANY_KEYS

if TYPE_CHECKING:
    from python_multipart.multipart import Field, File

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = (URLENCODED, MULTIPART)
BOOLEANS = ("policy_accepted", "bounty_interest", "credit.wants_credit", "reporter.email_updates")
FILE_FIELD = "attachments"
# The form page's own Idempotency-Key: a reloaded or resent form post repeats it.
KEY_FIELD = "idempotency_key"
# The form page's signed issue time: without JavaScript, it stands in for a proof of work.
FORM_TOKEN_FIELD = "form_token"  # noqa: S105 - a field's name, not a secret
# Fields of the page, not of the report (the language is the shell's `lang`).
PAGE_FIELDS = (KEY_FIELD, FORM_TOKEN_FIELD, "lang")
_TRUE, _FALSE = {"true", "on", "1", "yes"}, {"false", "off", "0", "no", ""}
MALFORMED = "The form body is malformed."


def form_fields(body: bytes, content_type: str, max_bytes: int) -> dict[str, Any]:
    """The submission's fields from an urlencoded or multipart body."""
    pairs, uploads = parse(body, content_type, max_bytes)
    fields = nest(pairs)
    if uploads:
        fields[FILE_FIELD] = uploads
    return fields


def parse(
    body: bytes, content_type: str, max_bytes: int
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """Text controls as (name, value) pairs and files as attachment dicts (raw bytes)."""
    # Imported here: JSON submissions (the common case) never load the form parser.
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import FormParser, parse_options_header

    media, options = parse_options_header(content_type)
    pairs: list[tuple[str, str]] = []
    uploads: list[dict[str, Any]] = []

    # python-multipart leaves urlencoded names and values percent-encoded.
    decode = _unquoted if media == URLENCODED.encode() else _text

    def on_field(field: Field) -> None:
        _count(pairs)
        pairs.append((decode(field.field_name), decode(field.value)))

    def on_file(upload: File) -> None:
        if _text(upload.field_name) != FILE_FIELD:
            raise ValidationFailed([FieldProblem(UNKNOWN_FIELD, _("Send files as attachments."))])
        _count(uploads)
        if upload.size or upload.file_name:  # an empty file input sends a nameless empty part
            uploads.append(_attachment(upload))

    config = {"MAX_BODY_SIZE": max_bytes, "MAX_MEMORY_FILE_SIZE": max_bytes + 1}
    try:
        parser = FormParser(
            media.decode("latin-1"), on_field, on_file, boundary=options.get(b"boundary"),
            config=config,
        )  # fmt: skip
        parser.write(body)
        parser.finalize()
    except (FormParserError, UnicodeDecodeError):
        raise BadJson(MALFORMED) from None
    return pairs, uploads


def _count(received: list[Any]) -> None:
    if len(received) >= MAX_KEYS:  # each would be a validation error of its own
        raise ValidationFailed([FieldProblem("(body)", TOO_MANY_KEYS)])


def nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Dotted names into nested objects; checkboxes into booleans; empty objects dropped."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        head, _sep, tail = name.partition(".")
        target = fields.setdefault(head, {}) if tail else fields
        key = tail or head
        if not isinstance(target, dict) or key in target or "." in tail:
            name = named_field(head, (*FIELD_NAMES, *PAGE_FIELDS))
            raise ValidationFailed([FieldProblem(name, _("Send this field once."))])
        target[key] = value
    for name in BOOLEANS:
        _to_boolean(fields, name)
    reporter = fields.get("reporter")
    if isinstance(reporter, dict) and reporter:  # a box left unticked sends nothing: no mail
        reporter.setdefault("email_updates", False)
    return {k: v for k, v in fields.items() if not (isinstance(v, dict) and _empty(v))}


def _to_boolean(fields: dict[str, Any], name: str) -> None:
    head, _sep, tail = name.partition(".")
    target = fields.get(head) if tail else fields
    if not isinstance(target, dict) or (tail and not target):
        return
    key = tail or head
    value = target.get(key, "")
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        target[key] = value.strip().lower() in _TRUE


def _empty(values: dict[str, Any]) -> bool:
    """Nothing filled in (the mail box, ticked by default, does not count)."""
    return all(
        v is False or k == "email_updates" or (isinstance(v, str) and not v.strip())
        for k, v in values.items()
    )


def _attachment(upload: File) -> dict[str, Any]:
    upload.file_object.seek(0)
    content_type = (upload.content_type or "").split(";", 1)[0].strip()
    return {
        "filename": _text(upload.file_name) or "attachment",
        "content_type": content_type or "application/octet-stream",
        "data": upload.file_object.read(),
    }


def _text(value: bytes | None) -> str:
    return (value or b"").decode("utf-8")


def _unquoted(value: bytes | None) -> str:
    return unquote_to_bytes((value or b"").replace(b"+", b" ")).decode("utf-8")
