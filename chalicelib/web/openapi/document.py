"""OpenAPI 3.1 document generated from the pydantic models.

Route by route as app.py answers: the bodies (schemas in schemas.py), and the
headers, statuses and media types that responses.py sends (shared pieces in answers.py);
the pages' paths are in pages.py.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.web.cors import METHODS as CORS_ROUTES
from chalicelib.web.form_fields import MULTIPART, URLENCODED
from chalicelib.web.openapi.answers import (
    FAILED_RECEIPTS,
    NOT_FOUND_REPORT,
    RETRY_AFTER,
    error_answers,
    header,
    html_content,
    json_content,
)
from chalicelib.web.openapi.pages import unsubscribe, web_paths
from chalicelib.web.openapi.schemas import (
    ATTACHMENT_LIMITS,
    KEY,
    component_schemas,
    ref,
)


@cache
def document() -> dict[str, Any]:
    """The API description served at /openapi.json."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "vdp", "version": "1", "description": "Vulnerability disclosure intake"},
        "paths": _with_preflights(
            {
                "/reports": {"post": _submit()},
                "/challenge": {"get": _challenge()},
                **_report_paths(),
                **web_paths(),
                "/unsubscribe": unsubscribe(),
                "/health": {"get": _health()},
                "/openapi.json": {"get": _openapi()},
            }
        ),
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "receipt": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The receipt from the submission's 201 answer. A missing "
                    "or wrong receipt gets the same 404 as an unknown report (never 401).",
                }
            },
        },
    }


_IDEMPOTENCY_KEY = header(
    "Idempotency-Key",
    "Makes a retry safe: the same key from the same client within 24 hours returns the "
    "original 201 body (same report_id and receipt) instead of storing a second report; a "
    "concurrent duplicate waits for the first. At most 128 printable characters, else 422; a "
    "key already used for a different submission is 422 too (field `Idempotency-Key`). Empty "
    "means none.",
    KEY,
)
_VDP_PROOF = header(
    "VDP-Proof",
    "A solved proof-of-work challenge, `<challenge>:<nonce>`: `challenge` as GET /challenge "
    "gave it, and SHA-256 of the UTF-8 text `<challenge>:<nonce>` starts with `difficulty` "
    "zero bits (ASCII, at most 512 characters; the nonce at most 64, without a colon). "
    'Needed only when the policy asks for it (proof_of_work = "always", or "above_rate" once '
    "the hour's reports reach proof_of_work_above_per_hour); GET /challenge's `required` says "
    "whether it is needed now. A challenge expires after 10 minutes and is spent by its "
    "first use; without a valid one the answer is 428. Ignored when no proof is needed.",
    {"type": "string"},
)


def _submit() -> dict[str, Any]:
    return {
        "summary": "Submit a vulnerability report",
        "description": "JSON, or the report form's fields (urlencoded, or multipart with "
        "files). A form post whose Accept header includes text/html (the form without "
        "JavaScript) is answered with HTML pages: the receipt page, or the form again with "
        "the errors, with the same status codes.",
        "parameters": [_IDEMPOTENCY_KEY, _VDP_PROOF],
        "requestBody": {
            "required": True,
            "content": {
                **json_content(ref("ReportSubmission")),
                URLENCODED: {"schema": ref("ReportForm")},
                MULTIPART: {"schema": ref("ReportFormWithFiles")},
            },
        },
        "responses": {
            "201": {
                "description": "Stored; the receipt is shown this once (for the no-JS form, "
                "in a receipt page).",
                "content": {**json_content(ref("Accepted")), **html_content()},
            },
            **error_answers("400", "409", "413", "422", "428", "429", "503", page=True, notes={
                "400": "Invalid JSON, or a malformed form body.",
                "413": "Too many or too large attachments are 422, not 413.",
                "422": f"Attachments: {ATTACHMENT_LIMITS} (field `attachments`), data in "
                "base64 (`attachments.N.data`). Also an invalid or reused Idempotency-Key.",
            }),
            **error_answers("415"),
        },
    }  # fmt: skip


_REPORT_ID = {"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"},
             "example": "VDP-7K3M-9QX2"}  # fmt: skip


def _report_paths() -> dict[str, Any]:
    receipt_auth: list[dict[str, list[str]]] = [{"receipt": []}]
    return {
        "/reports/{report_id}": {
            "get": {
                "summary": "The reporter's view of a report",
                "parameters": [_REPORT_ID],
                "security": receipt_auth,
                "responses": {
                    "200": {"description": "Status", "content": json_content(ref("ReporterView"))},
                    **error_answers("404", "429", "503",
                                    notes={"404": NOT_FOUND_REPORT, "429": FAILED_RECEIPTS}),
                },
            }
        },
        "/reports/{report_id}/messages": {
            "post": {
                "summary": "Send a follow-up message as the reporter",
                "parameters": [_REPORT_ID],
                "security": receipt_auth,
                "requestBody": {"required": True, "content": json_content(ref("FollowUp"))},
                "responses": {
                    "201": {"description": "Stored",
                            "content": json_content(ref("MessageAccepted"))},
                    **error_answers("400", "404", "413", "415", "422", "429", "503",
                                    notes={"404": NOT_FOUND_REPORT, "429": FAILED_RECEIPTS}),
                },
            }
        },
    }  # fmt: skip


def _with_preflights(paths: dict[str, Any]) -> dict[str, Any]:
    """The CORS preflight routes app.py answers itself (chalicelib/cors.py)."""
    for route, methods in CORS_ROUTES.items():
        optional = {"required": False, "schema": {"type": "string"}}
        paths[route]["options"] = {
            "summary": "CORS preflight",
            "parameters": [_REPORT_ID] if "{report_id}" in route else [],
            "responses": {"204": {
                "description": f"No body. Allow: {methods}. The Access-Control-Allow-* "
                "headers only for an Origin the policy allows.",
                "headers": {"Allow": {"required": True, "schema": {"type": "string"}},
                            "Access-Control-Allow-Origin": optional,
                            "Access-Control-Allow-Headers": optional},
            }},
        }  # fmt: skip
    return paths


def _health() -> dict[str, Any]:
    return {
        "summary": "Readiness",
        "responses": {
            "200": {"description": "Configuration loaded and resources present",
                    "content": json_content(ref("Health"))},
            "503": {"description": "Not ready: configuration not loaded or a local resource "
                    "missing (unavailable)", "content": json_content(ref("Unready")),
                    "headers": {"Retry-After": RETRY_AFTER}},
        },
    }  # fmt: skip


def _challenge() -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["challenge", "difficulty", "expires_at", "required"],
        "properties": {
            "challenge": {"type": "string"},
            "difficulty": {"type": "integer", "minimum": 1},
            "expires_at": {"type": "string", "format": "date-time"},
            "required": {"type": "boolean", "description": "Whether POST /reports needs a "
                         "proof right now"},
        },
    }  # fmt: skip
    return {
        "summary": "A proof-of-work challenge",
        "responses": {
            "200": {"description": "Solve it and send the solution in the VDP-Proof header "
                    "of POST /reports", "content": json_content(schema)},
            **error_answers("503"),
        },
    }  # fmt: skip


def _openapi() -> dict[str, Any]:
    document = {"type": "object", "required": ["openapi", "paths"]}
    return {"summary": "This document", "responses": {
        "200": {"description": "OpenAPI 3.1", "content": json_content(document)}}}  # fmt: skip
