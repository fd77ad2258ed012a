"""Reading requests: the body (size first, then type, then strict JSON or a form), the
receipt, the client address as API Gateway saw it, and the page a report's link points to."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.app import Request

from chalicelib.domain.errors import (
    BadJson,
    FieldProblem,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from chalicelib.domain.language import negotiate
from chalicelib.domain.report.models import MAX_KEYS, TOO_MANY_KEYS
from chalicelib.web import form_fields as forms

JSON_TYPE = "application/json"


FORM_TYPES = forms.FORM_TYPES
SUBMISSION_TYPES = (JSON_TYPE, *FORM_TYPES)


JSON_ONLY = "Send application/json."


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


@dataclass(frozen=True)
class Submitted:
    """A submission as sent: the report's fields, and what the page sent beside them."""

    fields: dict[str, Any]
    idempotency_key: str | None = None
    form_token: str | None = None  # the form page's signed issue time (no JavaScript)
    language: str | None = None  # the language of the page it was sent from


def submission_fields(request: Request, max_bytes: int) -> Submitted:
    """JSON, or an HTML form (urlencoded or multipart), and the Idempotency-Key: the header,
    else the one the form page carried. The size is checked before parsing."""
    header_key = request.headers.get("idempotency-key")
    content_type = request.headers.get("content-type", JSON_TYPE)
    if media_type(content_type) not in forms.FORM_TYPES:
        refusal = UnsupportedMediaType().message
        return Submitted(json_fields(request, max_bytes, refusal), header_key)
    check_size(request, max_bytes)
    fields = forms.form_fields(raw_body(request), content_type, max_bytes)
    form_key, token, lang = (_text(fields.pop(name, None)) for name in forms.PAGE_FIELDS)
    return Submitted(fields, header_key or form_key, token, lang)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def form_values(request: Request, max_bytes: int) -> dict[str, str]:
    """A small form's text controls (the status page's), each given once."""
    check_size(request, max_bytes)
    content_type = request.headers.get("content-type", "")
    if media_type(content_type) not in forms.FORM_TYPES:
        raise UnsupportedMediaType()
    pairs, _files = forms.parse(raw_body(request), content_type, max_bytes)
    values: dict[str, str] = {}
    for name, value in pairs:
        values.setdefault(name, value)
    return values


def language_of(request: Request, offered: list[str]) -> str:
    """The page's `lang` when the policy offers it, else the Accept-Language choice."""
    query = request.query_params
    asked = str(query.get("lang") or "") if query else ""
    if asked in offered:
        return asked
    return negotiate(request.headers.get("accept-language"), offered)


def wants_page(request: Request) -> bool:
    """A browser's plain form post (no JavaScript): it gets HTML pages, not JSON."""
    content_type = media_type(request.headers.get("content-type", ""))
    return content_type in forms.FORM_TYPES and "text/html" in request.headers.get("accept", "")


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


def in_progress(owner: Any) -> Request:
    """The request the app or blueprint `owner` is answering (Chalice sets it first)."""
    request: Request | None = owner.current_request
    if request is None:  # pragma: no cover - Chalice sets it before every route
        raise RuntimeError("no request in progress")
    return request
