"""The pieces every OpenAPI operation repeats: media types, error answers, headers."""

from __future__ import annotations

from typing import Any

from chalicelib.web.openapi.schemas import LIMITS, mb, ref

JSON, HTML = "application/json", "text/html"
ERRORS = {
    "400": "Malformed body (bad_json)",
    "404": "Not found (not_found)",
    "409": "A submission with this Idempotency-Key is still in progress (conflict)",
    "413": f"Request body over {mb(LIMITS.max_body_bytes)} (the policy default), refused "
    "before it is parsed (payload_too_large)",
    "415": "Unsupported content type (unsupported_media_type)",
    "422": "Validation failed; `fields` lists dotted paths, never the values (validation_failed)",
    "428": "A solved proof-of-work challenge is required now and the VDP-Proof header is "
    "missing, invalid, expired or already used (proof_required); see GET /challenge",
    "429": "Rate limited (rate_limited); try again after Retry-After seconds",
    "503": "Storage unavailable, nothing saved (unavailable); try again after Retry-After seconds",
}


NOT_FOUND_REPORT = (
    "Unknown report, or a missing or wrong receipt: the same answer for each (not_found)"
)
FAILED_RECEIPTS = (
    "Also once this source's receipt checks that opened nothing (an unknown or malformed id, "
    "a wrong receipt) reach the policy's failed_receipts_per_hour_per_source this hour."
)


RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def html_content() -> dict[str, Any]:
    return {HTML: {"schema": {"type": "string"}}}


def error_answer(code: str, note: str = "", page: bool = False) -> dict[str, Any]:
    """An error answer: ErrorBody JSON, or (the no-JS form) the form page again."""
    answer: dict[str, Any] = {
        "description": " ".join(filter(None, [ERRORS[code] + ".", note])),
        "content": {**json_content(ref("ErrorBody")), **(html_content() if page else {})},
    }
    if code in ("429", "503"):
        answer["headers"] = {"Retry-After": RETRY_AFTER}
    return answer


def error_answers(
    *codes: str, page: bool = False, notes: dict[str, str] | None = None
) -> dict[str, Any]:
    return {code: error_answer(code, (notes or {}).get(code, ""), page) for code in codes}


def header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": schema}  # fmt: skip
