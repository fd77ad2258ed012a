"""The OpenAPI document's schemas: the pydantic models' JSON Schema, adjusted to what the
API accepts (bytes as base64 text, null or blank text for an optional field), and the
no-JavaScript form's encodings flattened from the submission (form_fields.py's names).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from chalicelib.domain.policy.sections import Limits
from chalicelib.domain.report.models import FollowUp, ReportSubmission
from chalicelib.domain.report.records import Accepted
from chalicelib.domain.report.views import ErrorBody, MessageAccepted, ReporterView
from chalicelib.web.form_fields import FILE_FIELD, FORM_TOKEN_FIELD, KEY_FIELD


def component_schemas() -> dict[str, Any]:
    """Every schema the document refers to, by name."""
    from chalicelib.usecases.team.credits import PublishedCredit

    models = (ReportSubmission, Accepted, ReporterView, ErrorBody, FollowUp, MessageAccepted)
    _, generated = models_json_schema(
        [(m, "validation") for m in (*models, PublishedCredit)],
        ref_template="#/components/schemas/{model}",
        schema_generator=_ApiSchema,
    )
    schemas: dict[str, Any] = generated["$defs"]
    _blank_means_default(schemas)
    schemas["ReportForm"] = _form(schemas, files=False)
    schemas["ReportFormWithFiles"] = _form(schemas, files=True)
    schemas.update(_health_schemas())
    return schemas


LIMITS = Limits()  # the defaults; a deployment's policy.toml may change them


def mb(size: int) -> str:
    return f"{size / 2**20:g} MB"


ATTACHMENT_LIMITS = (
    f"at most {LIMITS.max_attachments} files and {mb(LIMITS.max_attachment_bytes)} in total "
    "after decoding (policy defaults)"
)
_BASE64 = (
    "The file's bytes as standard base64 (RFC 4648 section 4: the + and / alphabet, with "
    "padding, no line breaks); anything else is refused with 422 `must be base64-encoded`."
)
# What Python's str.strip() removes, as an ECMA-262 class: \s and \x1c-\x1f.
_BLANK = {"type": "string", "pattern": "^[\\s\\x1c-\\x1f]*$", "description": "Blank: not given"}
_NOTES = ("title", "default", "description")
KEY = {"type": "string", "maxLength": 128}
_CHECKBOX = (
    'A checkbox: "true" when ticked (also on, 1 or yes; false, off, 0, no or empty mean not '
    "ticked, in any case); left out means false."
)


class _ApiSchema(GenerateJsonSchema):
    """Bytes travel in JSON as base64 text (models.Attachment decodes it)."""

    def bytes_schema(self, schema: core_schema.BytesSchema) -> JsonSchemaValue:
        return {
            "type": "string",
            "contentEncoding": "base64",
            "pattern": "^[A-Za-z0-9+/]*={0,2}$",
            "description": _BASE64,
        }


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _blank_means_default(schemas: dict[str, Any]) -> None:
    """The strict input models (extra="forbid") take JSON null or blank text for an optional
    field as its default (models._Submitted)."""
    for schema in schemas.values():
        if schema.get("additionalProperties") is not False:
            continue
        for name, field in schema["properties"].items():
            if name in schema.get("required", ()):
                continue
            given = _omit(_not_null(field), *_NOTES)
            plain = given.get("type") == "string" and not given.keys() & {"enum", "pattern"}
            options = [given, {"type": "null"}, *([] if plain else [_BLANK])]
            notes = {k: v for k, v in field.items() if k in _NOTES}
            schema["properties"][name] = {**notes, "anyOf": options}


def _omit(schema: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in keys}


def _form(schemas: dict[str, Any], files: bool) -> dict[str, Any]:
    """ReportSubmission as the form sends it: nested fields as dotted names (`reporter.email`),
    checkboxes as text, files as parts named `attachments` (multipart only)."""
    submission = schemas["ReportSubmission"]
    properties: dict[str, Any] = {}
    for name, field in submission["properties"].items():
        field = _not_null(field)
        if "$ref" in field:
            nested = schemas[field["$ref"].rsplit("/", 1)[1]]["properties"]
            properties.update({f"{name}.{sub}": _control(s) for sub, s in nested.items()})
        elif name != FILE_FIELD:
            properties[name] = _control(field)
    properties[KEY_FIELD] = {
        **KEY,
        "description": "The form page's own Idempotency-Key (a hidden control), so a resent "
        "form files one report; the Idempotency-Key header wins when both are sent.",
    }
    properties[FORM_TOKEN_FIELD] = {
        "type": "string",
        "maxLength": 512,
        "description": "The form page's signed token: while a proof of work is required, a "
        "form posted without one passes with it, some seconds after the page was served "
        "(once per page).",
    }
    properties["lang"] = {
        "type": "string",
        "description": "The language of the page the form was sent from (its answer's).",
    }
    if files:
        properties[FILE_FIELD] = {
            "type": "array",
            "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            "description": f"File parts, each keeping its filename and Content-Type; "
            f"{ATTACHMENT_LIMITS}.",
        }
    return {
        "type": "object",
        "description": "Empty controls mean not given; a group whose controls are all empty "
        "(e.g. every reporter.* field: anonymous) is left out.",
        "properties": properties,
        "required": submission["required"],
        "additionalProperties": False,
    }


def _not_null(field: dict[str, Any]) -> dict[str, Any]:
    """The one schema of an optional field besides null and blank text, with its description."""
    options = [s for s in field.get("anyOf", [field]) if s not in ({"type": "null"}, _BLANK)]
    if len(options) != 1:
        return field
    return {**options[0], **{k: v for k, v in field.items() if k == "description"}}


def _control(field: dict[str, Any]) -> dict[str, Any]:
    field = _not_null(field)
    if field.get("type") == "boolean":
        return {"type": "string", "description": _CHECKBOX}
    control = _omit(field, "title", "default")
    if "enum" in control:
        control["enum"] = ["", *control["enum"]]  # an unchosen select sends ""
    return control


def _health_schemas() -> dict[str, Any]:
    resources = {
        "type": "object",
        "description": "Under `vdp serve`: whether each local resource exists",
        "additionalProperties": {"type": "boolean"},
    }
    return {
        "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {"status": {"type": "string", "const": "ok"}, "resources": resources},
        },
        "Unready": {
            "allOf": [ref("ErrorBody")],
            "description": "ErrorBody (code unavailable) and, under `vdp serve`, the resources",
            "properties": {"resources": resources},
        },
    }
