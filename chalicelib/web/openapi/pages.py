"""The OpenAPI paths of what a researcher's browser and mail client open: the pages, their
assets, the status page's form post, and the unsubscribe link."""

from __future__ import annotations

from typing import Any

from chalicelib.web.form_fields import MULTIPART, URLENCODED
from chalicelib.web.openapi.answers import (
    HTML,
    RETRY_AFTER,
    error_answers,
    html_content,
    json_content,
)
from chalicelib.web.openapi.schemas import ref


def unsubscribe() -> dict[str, Any]:
    """The link every mail to a reporter carries (RFC 8058 one-click unsubscribe)."""
    target = [
        {"name": "report", "in": "query", "required": True,
         "schema": {"type": "string", "maxLength": 64}},
        {"name": "token", "in": "query", "required": True,
         "schema": {"type": "string", "maxLength": 64}},
    ]  # fmt: skip
    not_found = {"404": "A wrong token and an unknown report get the same answer."}
    page = {"description": "HTML page", "content": html_content()}
    form = {"type": "object", "properties": {"List-Unsubscribe": {"const": "One-Click"}}}
    return {
        "get": {"summary": "The unsubscribe page: a button (a GET changes nothing)",
                "parameters": target,
                "responses": {"200": page, **error_answers("404", notes=not_found)}},
        "post": {"summary": "Stop mail about this report (one click, from a mail client)",
                 "parameters": target,
                 "requestBody": {"required": False, "content": {
                     URLENCODED: {"schema": form}, MULTIPART: {"schema": form}}},
                 "responses": {"200": page, **error_answers("404", "415", "503",
                                                            notes=not_found)}},
    }  # fmt: skip


def _status_post(html: dict[str, Any]) -> dict[str, Any]:
    """The status page without JavaScript: id and receipt in a form body, never a URL."""
    fields = {
        "report_id": {"type": "string"},
        "receipt": {"type": "string"},
        "message": {"type": "string", "description": "A follow-up to send (optional)"},
        "lang": {"type": "string"},
    }
    form = {"type": "object", "properties": fields, "required": ["report_id", "receipt"]}
    pages = {
        "200": {"description": "The status page", "content": html},
        "201": {"description": "The follow-up was sent: the status page", "content": html},
        "404": {"description": "No report matches: the look-up form again", "content": html},
        "422": {"description": "The follow-up was refused: the page says why", "content": html},
        "429": {
            "description": "Rate limited (follow-ups, or failed receipt checks, per "
            "source and hour): the page says so",
            "content": html,
            "headers": {"Retry-After": RETRY_AFTER},
        },
    }
    return {
        "summary": "The reporter's status page (and follow-ups), as HTML",
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": form},
            "multipart/form-data": {"schema": form}}},
        "responses": {**pages, **error_answers("400", "413", "415", "503")},
    }  # fmt: skip


def web_paths() -> dict[str, Any]:
    """The researcher-facing pages and assets (HTML, JavaScript, CSS)."""
    from chalicelib.web.pages.shell import ASSET_TYPES

    def get(summary: str, content: dict[str, Any], **more: Any) -> dict[str, Any]:
        responses = {"200": {"description": "OK", "content": content}, **more.pop("errors", {})}
        return {"get": {"summary": summary, "responses": responses, **more}}

    def text(*media: str) -> dict[str, Any]:
        return {m: {"schema": {"type": "string"}} for m in media}

    asset = {"name": "name", "in": "path", "required": True,
             "schema": {"type": "string", "enum": sorted(ASSET_TYPES)}}  # fmt: skip
    credits = {"type": "array", "items": ref("PublishedCredit")}
    language = {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "One of the policy's languages (else Accept-Language decides)",
        "schema": {"type": "string"},
    }
    return {
        "/form": get("The report form (embeddable; works without JavaScript)", text(HTML),
                     parameters=[language]),
        "/status": {
            **get("The status look-up form (status.js posts a status link's fragment to it)",
                  text(HTML), parameters=[language]),
            "post": _status_post(text(HTML)),
        },
        "/embed.js": get("Script that embeds /form in an iframe", text("text/javascript")),
        "/assets/{name}": get(
            "The pages' scripts and style", text("text/javascript", "text/css"),
            parameters=[asset], errors=error_answers("404", notes={"404": "No such asset."}),
        ),
        "/.well-known/security.txt": get(
            "security.txt (RFC 9116) from the policy", text("text/plain")
        ),
        "/.well-known/pgp-key.txt": get(
            "The team's armored OpenPGP public key (the form encrypts to it)",
            text("text/plain"), errors=error_answers("404", notes={"404": "No key configured."}),
        ),
        "/acknowledgments": get(
            "Published credits: HTML, or JSON when Accept includes application/json",
            {**text(HTML), **json_content(credits)}, errors=error_answers("503"),
        ),
    }  # fmt: skip
