"""HTTP edge: body parsing, error -> response mapping, security headers.

The only module that knows status codes. Error bodies are fixed texts in the
shape {"error": {"code", "message", "fields"?}} and never echo what was sent.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.domain.errors import (
    BadJson,
    FieldProblem,
    MethodNotAllowed,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    VdpError,
)
from chalicelib.domain.models import MAX_KEYS, TOO_MANY_KEYS
from chalicelib.web import cors, forms

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
JSON_TYPE = "application/json"
SUBMISSION_TYPES = (JSON_TYPE, *forms.FORM_TYPES)
HTML_TYPE = "text/html; charset=utf-8"
# Pages load only their own script and style; frame-ancestors (not X-Frame-Options) decides
# who may frame them: this origin and the policy's allowed origins.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'self'"
)


JSON_ONLY = "Send application/json."


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
    """When to try again, for a 429 or a 503 in JSON or as a page."""
    if isinstance(error, RateLimited | Unavailable):
        return {"Retry-After": str(error.retry_after)}
    return {}


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


def json_fields(request: Request, max_bytes: int, refusal: str = JSON_ONLY) -> dict[str, Any]:
    """The body as a dict: size checked first, then content type, then strict JSON."""
    check_size(request, max_bytes)
    content_type = media_type(request.headers.get("content-type", JSON_TYPE))
    if content_type != JSON_TYPE:
        raise UnsupportedMediaType(refusal)
    try:
        value = json.loads(
            raw_body(request).decode("utf-8"),
            object_pairs_hook=_json_object,
            parse_constant=_reject_constant,
        )
    except _TooManyKeys:
        raise ValidationFailed([FieldProblem("(body)", TOO_MANY_KEYS)]) from None
    except (ValueError, RecursionError):
        raise BadJson() from None
    if not isinstance(value, dict):
        raise ValidationFailed([FieldProblem("(body)", "must be a JSON object")])
    return value


def check_size(request: Request, max_bytes: int) -> None:
    """Reject before reading: the declared length, then the real one."""
    declared = request.headers.get("content-length", "0")
    if (declared.isdigit() and int(declared) > max_bytes) or len(raw_body(request)) > max_bytes:
        raise PayloadTooLarge()


def raw_body(request: Request) -> bytes:
    body = request.raw_body or b""
    return body.encode("utf-8") if isinstance(body, str) else body


def media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def source_ip(request: Request) -> str:
    """API Gateway's view of the client address; client headers such as X-Forwarded-For
    are never trusted."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def base_url(request: Request, public_url: str | None) -> str:
    """Where the reporter's status page lives: configured, else this request's origin."""
    if public_url:
        return public_url.rstrip("/")
    context = request.context or {}
    host = request.headers.get("host", "localhost")
    if context.get("domainName"):
        return f"https://{context['domainName']}/{context.get('stage', '')}".rstrip("/")
    return f"http://{host}"


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(body=body, status_code=status_code, headers={"Content-Type": JSON_TYPE})


def created(body: Any) -> Response:
    return json_response(body, status_code=201)


def text_response(body: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": content_type})


def submission_fields(request: Request, max_bytes: int) -> tuple[dict[str, Any], str | None]:
    """JSON, or an HTML form (urlencoded or multipart), and the Idempotency-Key: the header,
    else the one the form page carried. The size is checked before parsing."""
    header_key = request.headers.get("idempotency-key")
    content_type = request.headers.get("content-type", JSON_TYPE)
    if media_type(content_type) not in forms.FORM_TYPES:
        return json_fields(request, max_bytes, UnsupportedMediaType.message), header_key
    check_size(request, max_bytes)
    fields = forms.form_fields(raw_body(request), content_type, max_bytes)
    form_key = fields.pop(forms.KEY_FIELD, None)
    return fields, header_key or (form_key if isinstance(form_key, str) else None)


def wants_page(request: Request) -> bool:
    """A browser's plain form post (no JavaScript): it gets HTML pages, not JSON."""
    content_type = media_type(request.headers.get("content-type", ""))
    return content_type in forms.FORM_TYPES and "text/html" in request.headers.get("accept", "")


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


class _TooManyKeys(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object without duplicate keys, and not absurdly many (see MAX_KEYS)."""
    if len(pairs) > MAX_KEYS:
        raise _TooManyKeys()
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
