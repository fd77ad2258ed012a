"""`vdp serve`: moto server, the API (chalice local) and the example policy site, in one process."""

from __future__ import annotations

import errno
import functools
import io
import json
import logging
import os
import re
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalicelib import http, wiring
from chalicelib.config import Settings, local_settings
from chalicelib.errors import BadJson, NotFound, PayloadTooLarge, VdpError

PROJECT_DIR = Path(__file__).resolve().parent.parent
SITE_DIR = PROJECT_DIR / "examples" / "policy-site"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# status, headers, body: what chalice local writes for a response
Answer = tuple[int, dict[str, Any], str | bytes | None]


class PortBusy(VdpError):
    code = "port_busy"


@dataclass(frozen=True)
class Ports:
    api: int = 8000
    site: int = 8001
    aws: int = 4566


def ensure_free(host: str, port: int, role: str) -> None:
    """Fail fast: moto's threaded server hangs on a busy port instead of failing."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: connections in TIME_WAIT do not make a port busy.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortBusy(f"port {port} ({role}) is already in use; pick another") from exc
            raise


def local_environment(endpoint_url: str) -> dict[str, str]:
    """Environment for talking to the embedded moto: never real credentials."""
    return {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint_url}


class VdpRequestHandler(ChaliceRequestHandler):
    """chalice local, closer to API Gateway: real source address, size limit, our errors."""

    max_body_bytes = 6 * 1024 * 1024

    def __init__(self, request: Any, client_address: Any, server: Any, **kwargs: Any) -> None:
        self._client_ip = client_address[0]
        self._routes: dict[str, dict[str, Any]] = kwargs["app_object"].routes
        super().__init__(request, client_address, server, **kwargs)

    def _vdp_handle(self) -> None:
        # chalice local hard-codes 127.0.0.1 as the source; pass the real one.
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self._client_ip
        try:
            status, headers, body = self._through_app()
        except VdpError as error:
            status, headers, body = self._gateway_response(error)
        self._send(status, headers, body)

    def _through_app(self) -> Answer:
        length = self._declared_length()
        body = self._read_body(length)
        if self.command == "OPTIONS" and "OPTIONS" not in self._methods():
            # API Gateway has no such method (MISSING_AUTHENTICATION_TOKEN), whereas
            # chalice local would answer a bare 200 preflight of its own.
            raise NotFound()
        try:
            response = self.local_gateway.handle_request(
                method=self.command, path=self.path, headers=dict(self.headers), body=body
            )
        except ForbiddenError:  # no such route
            raise NotFound() from None
        if length > self.max_body_bytes and response["statusCode"] != 413:
            raise PayloadTooLarge()  # a route that never looks at bodies answered
        merged = {**response["headers"], **response["multiValueHeaders"]}
        return response["statusCode"], merged, self._handle_binary(response)["body"]

    def _declared_length(self) -> int:
        """The one Content-Length, as digits; otherwise the body cannot be delimited."""
        values = {value.strip() for value in self.headers.get_all("content-length") or ["0"]}
        declared = values.pop()
        if values or not re.fullmatch(r"[0-9]{1,18}", declared):
            self.close_connection = True  # where the body ends is unknown
            raise BadJson("The Content-Length header is not a valid length.")
        return int(declared)

    def _read_body(self, length: int) -> bytes | None:
        if length > self.max_body_bytes:
            # Never read: the app refuses it by its declared length (http.check_size), so
            # its answer carries CORS headers or the form page as any other error does.
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else None

    def _methods(self) -> dict[str, Any]:
        try:
            return self._routes[RouteMatcher(list(self._routes)).match_route(self.path).route]
        except ValueError:
            return {}

    def _gateway_response(self, error: VdpError) -> Answer:
        # As our gateway responses on AWS: our error and headers, never echoing headers.
        response = http.finish(http.error_response(error), self.path).to_dict()
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

    # The base class binds do_* to its own handler when the class is created.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _vdp_handle

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, ...) gets our 405/404 like API Gateway,
        # not http.server's 501 HTML page.
        if name.startswith("do_"):
            return self._vdp_handle
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass  # access lines would carry client addresses; requests are logged by the app


class VdpHTTPServer(ThreadedHTTPServer):
    request_queue_size = 128  # chalice local's default backlog of 5 drops bursts


def api_server(host: str, port: int) -> LocalDevServer:
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="local")
    app = factory.load_chalice_app(config.environment_variables)
    wiring.reset()
    # What chalice.local.create_local_server does: a thread-local current_request.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    return LocalDevServer(
        app, config, host, port, handler_cls=VdpRequestHandler, server_cls=VdpHTTPServer
    )


def site_server(host: str, port: int, api_url: str = "") -> ThreadingHTTPServer:
    """The example policy site; `{{VDP_API}}` in its pages becomes the API's origin."""

    class QuietSite(SimpleHTTPRequestHandler):
        def send_head(self) -> Any:
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix != ".html" or not path.is_file():
                return super().send_head()
            page = path.read_bytes().replace(b"{{VDP_API}}", api_url.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            return io.BytesIO(page)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return ThreadingHTTPServer((host, port), functools.partial(QuietSite, directory=str(SITE_DIR)))


def serve(ports: Ports, host: str = "127.0.0.1", echo: Callable[[str], None] = print) -> None:
    """Run the whole local stack until Ctrl-C (or SIGTERM)."""
    for role, port in (("API", ports.api), ("policy site", ports.site), ("AWS", ports.aws)):
        ensure_free(host, port, role)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address=host, port=ports.aws, verbose=False)
    moto.start()
    endpoint = f"http://{host}:{ports.aws}"
    os.environ.update(local_environment(endpoint))
    os.environ["VDP_LOCAL_SITE_ORIGIN"] = f"http://{host}:{ports.site}"
    # Links the API hands out (status_url, security.txt) name this server, never the
    # client's Host header.
    if not os.environ.get("VDP_PUBLIC_URL"):
        os.environ["VDP_PUBLIC_URL"] = f"http://{host}:{ports.api}"
    settings = local_settings(endpoint)
    from chalicelib.resources import bootstrap

    resources = bootstrap(settings, lambda service: wiring.client(settings, service))
    api, site, stop = (
        api_server(host, ports.api),
        site_server(host, ports.site, f"http://{host}:{ports.api}"),
        threading.Event(),
    )
    workers = [
        threading.Thread(target=api.server.serve_forever, daemon=True),
        threading.Thread(target=site.serve_forever, daemon=True),
        threading.Thread(
            target=watch_notifications,
            args=(settings, resources.team_queue_url, stop, echo),
            daemon=True,
        ),
    ]
    for worker in workers:
        worker.start()
    echo(f"vdp API        http://{host}:{ports.api}  (POST /reports, GET /health)")
    echo(f"policy site    http://{host}:{ports.site}")
    echo(f"embedded AWS   {endpoint}  (moto; resources of stage 'local' created)")
    echo("notifications to the team appear below; Ctrl-C stops")
    _wait_for_stop(stop)
    api.shutdown()
    site.shutdown()
    moto.stop()
    echo("vdp stopped")


def watch_notifications(
    settings: Settings, queue_url: str, stop: threading.Event, echo: Callable[[str], None]
) -> None:
    """Print each SNS notification as the team's queue receives it."""
    sqs = wiring.client(settings, "sqs")
    while not stop.is_set():
        try:
            answer = sqs.receive_message(
                QueueUrl=queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10
            )
        except Exception:  # noqa: BLE001 - moto is stopping; the loop ends with it
            return
        for message in answer.get("Messages", []):
            echo(describe_notification(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def describe_notification(envelope: str) -> str:
    sns = json.loads(envelope)
    event = json.loads(sns["Message"])
    details = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "report_id"))
    return f"[notification] {event.get('event')} {event.get('report_id')} {details}"


def _wait_for_stop(stop: threading.Event) -> None:
    # Installed explicitly: a shell starts background jobs with SIGINT ignored, and
    # Python would then never raise KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
