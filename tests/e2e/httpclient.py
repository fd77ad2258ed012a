"""A small real-HTTP client (http.client), so tests see exactly what went over the wire."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    method: str, url: str, body: bytes | str | None = None, headers: dict[str, str] | None = None
) -> Answer:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        payload = body.encode() if isinstance(body, str) else body
        connection.request(method, parts.path or "/", body=payload, headers=headers or {})
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


def post_json(url: str, value: Any, headers: dict[str, str] | None = None) -> Answer:
    return request(
        "POST", url, json.dumps(value), {"Content-Type": "application/json", **(headers or {})}
    )


def declared_only(url: str, content_length: int) -> Answer:
    """Send headers announcing a huge body and read the answer before sending any of it."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("POST", parts.path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(content_length))
        connection.endheaders()
        response = connection.getresponse()
        return Answer(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        connection.close()
