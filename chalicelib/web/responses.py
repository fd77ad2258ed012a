"""Answers: error -> response mapping, security headers, pages, assets, CORS.

The only module that knows status codes. Error bodies are fixed texts in the
shape {"error": {"code", "message", "fields"?}} and never echo what was sent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.domain.errors import (
    BadJson,
    MethodNotAllowed,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    VdpError,
)
from chalicelib.web import cors
from chalicelib.web.requests import JSON_ONLY, JSON_TYPE

log = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "bad_json": 400,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "validation_failed": 422,
    "proof_required": 428,
    "rate_limited": 429,
    "internal_error": 500,
    "policy_invalid": 500,
    "unavailable": 503,
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HTML_TYPE = "text/html; charset=utf-8"
# Pages load only their own script and style; frame-ancestors (not X-Frame-Options) decides
# who may frame them: this origin and the policy's allowed origins.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'self'"
)


def error_response(error: VdpError) -> Response:
    """The public form of an error: fixed code and message, field paths, Retry-After."""
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    headers: dict[str, str | list[str]] = {"Content-Type": JSON_TYPE, **_retry_after(error)}
    if isinstance(error, ValidationFailed):
        detail["fields"] = [{"field": p.field, "message": p.message} for p in error.fields]
    return Response(
        body={"error": detail}, status_code=STATUS_BY_CODE.get(error.code, 500), headers=headers
    )


def _retry_after(error: VdpError) -> dict[str, str | list[str]]:
    """When to try again: a 429, a 503, or a form that must wait a few seconds."""
    seconds = getattr(error, "retry_after", 0)
    return {"Retry-After": str(seconds)} if isinstance(seconds, int) and seconds > 0 else {}


def guarded(view: Callable[..., Response]) -> Callable[..., Response]:
    """Map vdp errors to responses inside the route (Chalice middleware never sees them)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except VdpError as error:
            if isinstance(error, Unavailable):
                log.warning("storage unavailable", extra={"service": error.service})
            return error_response(error)

    return wrapper


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(body=body, status_code=status_code, headers={"Content-Type": JSON_TYPE})


def created(body: Any) -> Response:
    return json_response(body, status_code=201)


def text_response(body: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": content_type})


def page(html: str, frame_origins: list[str], status_code: int = 200) -> Response:
    """An HTML page that the listed origins may frame (never cached: it may hold a receipt)."""
    headers: dict[str, str | list[str]] = {
        "Content-Type": HTML_TYPE,
        "Content-Security-Policy": " ".join([PAGE_CSP, *frame_origins]),
        "Cache-Control": "no-store",
    }
    return Response(body=html, status_code=status_code, headers=headers)


def error_page(html: str, error: VdpError, frame_origins: list[str]) -> Response:
    response = page(html, frame_origins, STATUS_BY_CODE.get(error.code, 500))
    response.headers.update(_retry_after(error))
    return response


def created_page(html: str, frame_origins: list[str]) -> Response:
    return page(html, frame_origins, 201)


def asset(body: str, content_type: str) -> Response:
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Cache-Control": "public, max-age=300",
    }
    return Response(body=body, status_code=200, headers=headers)


def preflight(origin: str | None, allowed_origins: list[str], route: str) -> Response:
    """204 to an OPTIONS preflight; CORS headers only for an allowed origin."""
    headers: dict[str, str | list[str]] = {**cors.preflight_headers(origin, allowed_origins, route)}
    return Response(body="", status_code=204, headers=headers)


def with_cors(
    response: Response, route: str, origin: str | None, allowed_origins: list[str]
) -> Response:
    """CORS headers on actual responses of the routes other origins may call."""
    if route in cors.METHODS:
        response.headers.update(cors.response_headers(origin, allowed_origins))
    return response


def readiness(ready: bool, detail: dict[str, Any]) -> Response:
    """200 with what was checked; else our 503 error, with what was checked beside it."""
    if ready:
        return json_response(detail)
    message = f"Not ready: {detail['status']}."
    body = {"error": {"code": Unavailable.code, "message": message}, **detail}
    del body["status"]
    return Response(
        body=body, status_code=503, headers={"Content-Type": JSON_TYPE, "Retry-After": "10"}
    )


PAGES = ("/form", "/status", "/acknowledgments")


def canonical_page(request: Request) -> Response | None:
    """A page asked for with a trailing slash moves to its own address, where its relative
    links (scripts, the form's action) resolve; the stage prefix on AWS stays as it is."""
    context = request.context or {}
    path = str(context.get("path") or "")
    if request.method != "GET" or context.get("resourcePath") not in PAGES:
        return None
    if not path.endswith("/"):
        return None
    name = str(context["resourcePath"]).lstrip("/")
    return Response(body="", status_code=308, headers={"Location": f"../{name}"})


def report_id_of(response: Response) -> str | None:
    """The report id a response is about (for logs): ids are not secret, receipts are."""
    body = response.body
    return body.get("report_id") if isinstance(body, dict) else None


def finish(response: Response, path: str) -> Response:
    """Every response: Chalice's own errors reshaped, security headers added."""
    response = _reshape_framework_error(response, path)
    framable = "frame-ancestors 'self'" in response.headers.get("Content-Security-Policy", "")
    for name, value in SECURITY_HEADERS.items():
        if not (framable and name == "X-Frame-Options"):
            response.headers.setdefault(name, value)
    if path.startswith(("/reports", "/challenge")):  # private, or single-use (a challenge)
        response.headers["Cache-Control"] = "no-store"
    return response


_FRAMEWORK_ERRORS: dict[str, VdpError] = {
    "MethodNotAllowedError": MethodNotAllowed(),
    "UnsupportedMediaType": UnsupportedMediaType(),
    "BadRequest": BadJson(),
    "BadRequestError": BadJson(),
}


def _reshape_framework_error(response: Response, path: str) -> Response:
    body = response.body
    if not (isinstance(body, dict) and "Code" in body and "Message" in body):
        return response
    error = _FRAMEWORK_ERRORS.get(str(body["Code"]), VdpError())
    if isinstance(error, UnsupportedMediaType) and path.endswith("/messages"):
        error = UnsupportedMediaType(JSON_ONLY)  # a follow-up is JSON; only a report has a form
    if error.code == "internal_error":
        log.error("unhandled error in a route", extra={"status": response.status_code})
    reshaped = error_response(error)
    for name, value in response.headers.items():  # Allow, and CORS from the inner middleware
        if name == "Allow" or name == "Vary" or name.startswith("Access-Control-"):
            reshaped.headers[name] = value
    return reshaped
