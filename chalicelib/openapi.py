"""OpenAPI 3.1 document generated from the pydantic models."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from chalicelib.models import (
    Accepted,
    ErrorBody,
    FollowUp,
    MessageAccepted,
    ReporterView,
    ReportSubmission,
)

_ERRORS = {
    "400": "Malformed body (bad_json)",
    "404": "Unknown route, unknown report or wrong receipt (not_found)",
    "405": "Method not allowed (method_not_allowed)",
    "413": "Body or attachments too large (payload_too_large)",
    "409": "The same Idempotency-Key is still being processed (conflict)",
    "415": "Unsupported content type (unsupported_media_type)",
    "422": "Validation failed; `fields` lists dotted paths (validation_failed)",
    "428": "A solved proof-of-work challenge is required now (proof_required)",
    "429": "Rate limited; see Retry-After (rate_limited)",
    "503": "Storage unavailable, nothing saved; see Retry-After (unavailable)",
}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _errors(*codes: str) -> dict[str, Any]:
    return {
        code: {"description": _ERRORS[code], "content": _json(_ref("ErrorBody"))} for code in codes
    }


@cache
def document() -> dict[str, Any]:
    """The API description served at /openapi.json."""
    _, schemas = models_json_schema(
        [
            (m, "validation")
            for m in (
                ReportSubmission,
                Accepted,
                ReporterView,
                ErrorBody,
                FollowUp,
                MessageAccepted,
            )
        ],
        ref_template="#/components/schemas/{model}",
    )
    receipt_auth: list[dict[str, list[str]]] = [{"receipt": []}]
    report_id = {"name": "report_id", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "vdp", "version": "1", "description": "Vulnerability disclosure intake"},
        "paths": {
            "/reports": {
                "post": {
                    "summary": "Submit a vulnerability report",
                    "requestBody": {"required": True, "content": _json(_ref("ReportSubmission"))},
                    "responses": {
                        "201": {"description": "Stored", "content": _json(_ref("Accepted"))},
                        **_errors("400", "409", "413", "415", "422", "428", "429", "503"),
                    },
                }
            },
            "/challenge": {
                "get": {"summary": "A proof-of-work challenge", "responses": _challenge()}
            },
            "/reports/{report_id}": {
                "get": {
                    "summary": "The reporter's view of a report",
                    "parameters": [report_id],
                    "security": receipt_auth,
                    "responses": {
                        "200": {"description": "Status", "content": _json(_ref("ReporterView"))},
                        **_errors("404", "503"),
                    },
                }
            },
            "/reports/{report_id}/messages": {
                "post": {
                    "summary": "Send a follow-up message as the reporter",
                    "parameters": [report_id],
                    "security": receipt_auth,
                    "requestBody": {"required": True, "content": _json(_ref("FollowUp"))},
                    "responses": {
                        "201": {"description": "Stored", "content": _json(_ref("MessageAccepted"))},
                        **_errors("400", "404", "413", "415", "422", "503"),
                    },
                }
            },
            **_web_paths(),
            "/health": {"get": {"summary": "Liveness", "responses": _health()}},
            "/openapi.json": {"get": {"summary": "This document", "responses": _plain_ok()}},
        },
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {"receipt": {"type": "http", "scheme": "bearer"}},
        },
    }


def _health() -> dict[str, Any]:
    status = {"type": "object", "properties": {"status": {"type": "string"}}}
    return {
        "200": {"description": "Configuration loaded", "content": _json(status)},
        "503": {"description": "Not ready", "content": _json(_ref("ErrorBody"))},
    }


def _challenge() -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["challenge", "difficulty", "expires_at", "required"],
        "properties": {
            "challenge": {"type": "string"},
            "difficulty": {"type": "integer", "minimum": 1},
            "expires_at": {"type": "string", "format": "date-time"},
            "required": {"type": "boolean"},
        },
    }
    return {
        "200": {"description": "Solve: SHA-256(challenge:nonce) with `difficulty` leading zero "
                "bits; send challenge:nonce in the VDP-Proof header", "content": _json(schema)},
        **_errors("503"),
    }  # fmt: skip


def _plain_ok() -> dict[str, Any]:
    return {"200": {"description": "OK", "content": _json({"type": "object"})}}


def _web_paths() -> dict[str, Any]:
    """The researcher-facing pages and assets (HTML, JavaScript, CSS)."""

    def get(summary: str, media: str, *parameters: dict[str, Any]) -> dict[str, Any]:
        ok = {"description": "OK", "content": {media: {"schema": {"type": "string"}}}}
        return {"get": {"summary": summary, "parameters": list(parameters), "responses": {
            "200": ok, **_errors("404")}}}  # fmt: skip

    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/form": get("The report form (embeddable; works without JavaScript)", "text/html"),
        "/status": get("The reporter's status page (receipt in the URL fragment)", "text/html"),
        "/embed.js": get("Script that embeds /form in an iframe", "text/javascript"),
        "/assets/{name}": get("The pages' scripts and style", "text/javascript", name),
        "/.well-known/security.txt": get("security.txt (RFC 9116) from the policy", "text/plain"),
        "/acknowledgments": get(
            "Published credits (HTML; JSON with Accept: application/json)", "text/html"
        ),
    }
