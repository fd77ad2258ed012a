"""chalice local, closer to API Gateway: the request handler `vdp serve` runs the API with.

It passes the client's real address (chalice local hard-codes 127.0.0.1), reads a body
(by Content-Length, or chunked) once and only within Lambda's 6 MB, and answers what API
Gateway would answer itself (unknown routes, methods without a route, a body it cannot
delimit) with our errors and headers, as the gateway responses in infra/resources.json do
on AWS.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

from chalice.app import Response
from chalice.local import (
    ChaliceRequestHandler,
    ForbiddenError,
    LambdaEventConverter,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalicelib.domain.errors import NotFound, PayloadTooLarge, Undelimited, VdpError
from chalicelib.web import requests, responses
from vdp.local.api import framing as local_framing
from vdp.local.api.heads import HeadLimits
from vdp.local.api.quiet import QuietHandler, QuietServer

# API Gateway's DEFAULT_4XX answer (infra/resources.json), for requests it cannot parse.
GATEWAY_REFUSAL = {"error": {"code": "bad_request", "message": "The request was refused."}}
_DISCARD_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit: it refuses more itself
_DISCARD_SECONDS = 5
# status, headers, body: what chalice local writes for a response
Answer = tuple[int, dict[str, Any], str | bytes | None]


class VdpRequestHandler(HeadLimits, QuietHandler, ChaliceRequestHandler):
    """chalice local, closer to API Gateway: real source address, size limit, our errors,
    a deadline for the request head, and quiet about its clients."""

    command: str  # http.server's, set per request (typed here: the base class is untyped)
    request_version: str
    max_body_bytes = 6 * 1024 * 1024
    timeout = 60  # seconds a client may leave a connection silent, mid-body or between requests

    def __init__(self, request: Any, client_address: Any, server: Any, **kwargs: Any) -> None:
        self._routes: dict[str, dict[str, Any]] = kwargs["app_object"].routes
        self._matcher = RouteMatcher(list(self._routes))
        self._events = _Events(self._matcher, kwargs["app_object"].api.binary_types)
        self._events.LOCAL_SOURCE_IP = client_address[0]  # chalice local hard-codes 127.0.0.1
        super().__init__(request, client_address, server, **kwargs)  # handles the requests

    def _vdp_handle(self) -> None:
        self.local_gateway.event_converter = self._events
        self._refused_body = False
        try:
            status, headers, body = self._through_app()
        except VdpError as error:
            status, headers, body = self._gateway_response(error)
        self._send(status, headers, body)
        if self._refused_body:
            self._discard_rest()

    def _through_app(self) -> Answer:
        try:
            length, body = local_framing.read_body(
                self.rfile, self.headers, self.max_body_bytes, self.request_version
            )
        except Undelimited:
            self.close_connection = True  # what follows must never be read as a request
            raise
        if length > self.max_body_bytes:
            self.close_connection = self._refused_body = True  # the body was left unread
        headers = dict(self.headers)
        if "transfer-encoding" in self.headers:
            # A chunked body reaches the app whole, with its length, as API Gateway's does.
            headers = {k: v for k, v in headers.items() if k.lower() != "transfer-encoding"}
            headers["Content-Length"] = str(length)
        if self.command == "OPTIONS" and "OPTIONS" not in self._methods():
            # API Gateway has no such method (MISSING_AUTHENTICATION_TOKEN), whereas
            # chalice local would answer a bare 200 preflight of its own.
            raise NotFound()
        try:
            response = self.local_gateway.handle_request(
                method=self.command, path=self.path, headers=headers, body=body
            )
        except ForbiddenError:  # no such route
            raise NotFound() from None
        too_large = responses.STATUS_BY_CODE[PayloadTooLarge.code]
        if length > self.max_body_bytes and response["statusCode"] != too_large:
            raise PayloadTooLarge()  # a route that never looks at bodies answered
        merged = {**response["headers"], **response["multiValueHeaders"]}
        return response["statusCode"], merged, self._handle_binary(response)["body"]

    def _discard_rest(self) -> None:
        """Read on after refusing a body, as API Gateway reads up to 10 MB: a client that
        sends its whole body before reading then gets our 413, not a reset connection."""
        self.connection.settimeout(_DISCARD_SECONDS)
        left = _DISCARD_BYTES
        try:
            while left > 0 and (data := self.rfile.read1(min(left, 65536))):
                left -= len(data)
        except OSError:
            pass  # the client went away or went quiet: the connection closes as planned

    def _methods(self) -> dict[str, Any]:
        try:
            return self._routes[self._matcher.match_route(self.path).route]
        except ValueError:
            return {}

    def _gateway_response(self, error: VdpError) -> Answer:
        # As our gateway responses on AWS: our error and headers, never echoing headers.
        response = responses.finish(responses.error_response(error), self.path).to_dict()
        return response["statusCode"], response["headers"], response["body"]

    def _send(self, status: int, headers: dict[str, Any], body: str | bytes | None) -> None:
        if self.close_connection:  # tell the client not to send another request here
            headers = {**headers, "Connection": "close"}
        if self.command != "HEAD" or body is None:
            self._send_http_response(status, headers, body)
            return
        # HEAD: the length GET would get, and never the body, or a keep-alive client
        # would read the body as the next response.
        payload = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self._send_headers(headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (an unreadable request line, too many or too long
        headers, an unknown HTTP version) as API Gateway's: our shape and headers, with
        http.server's status, never its HTML page quoting the request."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"  # a status line, even for a line unread as HTTP
        headers: dict[str, str | list[str]] = {"Content-Type": requests.JSON_TYPE}
        answer = responses.finish(Response(GATEWAY_REFUSAL, headers, code), "/").to_dict()
        self._send_http_response(code, {**answer["headers"], "Connection": "close"}, answer["body"])

    # The base class binds do_* to its own handler when the class is created.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _vdp_handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, ...) gets our 405/404 like API Gateway,
        # not http.server's 501 HTML page.
        if name.startswith("do_"):
            return self._vdp_handle
        raise AttributeError(name)


class _Events(LambdaEventConverter):
    """chalice local's Lambda events, path parameters percent-decoded as API Gateway's are."""

    def create_lambda_event(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> dict[str, Any]:
        event: dict[str, Any] = super().create_lambda_event(method, path, headers, body)
        event["pathParameters"] = {
            name: unquote(value) for name, value in event["pathParameters"].items()
        }
        # Each request its own id, as API Gateway gives (the request log names it): chalice
        # local's one Lambda context is shared by the threads of concurrent requests.
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        return event


class VdpHTTPServer(QuietServer, ThreadedHTTPServer):
    request_queue_size = 128  # chalice local's default backlog of 5 drops bursts
