"""Faults injected below vdp: a `before-send` hook on the boto3 session that bootstrap uses.

`before-send.<service>[.<Operation>]` runs in botocore's endpoint right before the HTTP
round trip. Returning an AWSResponse replaces that round trip (the service never sees the
request); raising ConnectTimeoutError is exactly what the HTTP layer raises when a connect
times out. Everything above the socket runs as in production: botocore parses the error,
classifies it (throttling, transient), retries it (standard mode, 3 attempts) and raises;
our adapters translate; the routes answer. No vdp code is patched or replaced.

Clients copy the session's handlers when they are created, so the hook is registered first
and cached clients are dropped (`bootstrap.reset()`); on exit it is unregistered and dropped
again, so the next clients are healthy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.httpsession import URLLib3Session

from chalicelib import bootstrap

SERVICES = ("kms", "s3", "dynamodb", "sns")
KINDS = ("throttling", "http_500", "connect_timeout", "proxy_page")
# A proxy's or load balancer's own error page in place of the service's answer. botocore
# reads it as a plain 502 from the JSON and REST services, but SNS's XML parser fails on
# it (ResponseParserError, not a BotoCoreError, and not retried).
PROXY_PAGE = b"<!doctype html>\n<html lang=en>\n<title>502 Bad Gateway</title>\n"
# Not a persistent fault: the first attempt reaches the service and is carried out, then
# its answer is lost (read timeout); botocore's retry sends the same request again.
LOST_ANSWER = "lost_answer"
# SES's refusal of a message: a fault that asking again cannot heal.
REJECTED = "rejected"

# (HTTP status, error code) as each service answers: its own codes and protocol.
_ERRORS = {
    ("kms", "throttling"): (400, "ThrottlingException"),
    ("kms", "http_500"): (500, "KMSInternalException"),
    ("s3", "throttling"): (503, "SlowDown"),
    ("s3", "http_500"): (500, "InternalError"),
    ("dynamodb", "throttling"): (400, "ProvisionedThroughputExceededException"),
    ("dynamodb", "http_500"): (500, "InternalServerError"),
    ("sns", "throttling"): (400, "Throttling"),
    ("sns", "http_500"): (500, "InternalError"),
    ("sesv2", REJECTED): (400, "MessageRejected"),
}
_JSON_VERSION = {"kms": "1.1", "dynamodb": "1.0"}


class _Raw:
    """The bit of urllib3's response that AWSResponse reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def error_body(service: str, code: str, status: int) -> tuple[dict[str, str], bytes]:
    """Headers and body of an error in the service's wire protocol."""
    message = "injected fault"
    if service in _JSON_VERSION:  # JSON protocols (KMS, DynamoDB)
        content_type = f"application/x-amz-json-{_JSON_VERSION[service]}"
        body = json.dumps({"__type": code, "message": message}).encode()
    elif service == "sesv2":  # REST-JSON
        content_type = "application/json"
        body = json.dumps({"__type": code, "message": message}).encode()
    elif service == "s3":  # REST-XML
        content_type = "application/xml"
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    else:  # query protocol (SNS)
        side = "Receiver" if status >= 500 else "Sender"
        content_type = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>{side}</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        ).encode()
    return {"Content-Type": content_type, "x-amzn-RequestId": "fault"}, body


@dataclass
class Fault:
    """A persistent fault: every attempt (botocore's retries included) fails the same way."""

    service: str
    kind: str
    operation: str | None = None
    attempts: int = 0
    max_attempts: int = 0  # per call, as botocore announces it (amz-sdk-request header)
    operations: list[str] = field(default_factory=list)  # one entry per attempt

    @property
    def event(self) -> str:
        return f"before-send.{self.service}" + (f".{self.operation}" if self.operation else "")

    def __call__(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
        if self.kind == LOST_ANSWER:
            return self._lose_first_answer(request, event_name)
        self._count(request, event_name)
        if self.kind == "connect_timeout":
            # What urllib3 reports after connect_timeout; raised here, so nothing waits.
            raise ConnectTimeoutError(endpoint_url=request.url)
        if self.kind == "proxy_page":
            return AWSResponse(request.url, 502, {"Content-Type": "text/html"}, _Raw(PROXY_PAGE))
        status, code = _ERRORS[(self.service, self.kind)]
        headers, body = error_body(self.service, code, status)
        return AWSResponse(request.url, status, headers, _Raw(body))

    def _count(self, request: Any, event_name: str) -> None:
        self.attempts += 1
        self.operations.append(event_name.rsplit(".", 1)[-1])
        announced = dict(_pairs(request.headers.get("amz-sdk-request", b"")))
        self.max_attempts = int(announced.get("max", 0))

    def _lose_first_answer(self, request: Any, event_name: str) -> None:
        if self.attempts:
            return None  # later attempts go through untouched
        self._count(request, event_name)
        URLLib3Session(timeout=10).send(request)  # the service does it...
        raise ReadTimeoutError(endpoint_url=request.url)  # ...and the answer never arrives


def _pairs(header: bytes | str) -> Iterator[tuple[str, str]]:
    text = header.decode() if isinstance(header, bytes) else header
    for pair in text.split(";"):
        name, _, value = pair.strip().partition("=")
        yield name, value


@contextmanager
def injected(service: str, kind: str, operation: str | None = None) -> Iterator[Fault]:
    """Fail every call to `service` (or one operation of it) made by vdp's clients."""
    fault = Fault(service, kind, operation)
    events = bootstrap._session().events  # the one session every vdp client comes from
    unique_id = f"vdp-fault-{id(fault)}"
    # A more specific event than any catch-all `before-send`, so this answer comes first.
    events.register(fault.event, fault, unique_id=unique_id)
    bootstrap.reset()
    try:
        yield fault
    finally:
        events.unregister(fault.event, unique_id=unique_id)
        bootstrap.reset()
