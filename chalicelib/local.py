"""`vdp serve`: moto server, the API (chalice local) and the example policy site, in one process."""

from __future__ import annotations

import errno
import functools
import io
import json
import logging
import os
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
    ThreadedHTTPServer,
)

from chalicelib import http, wiring
from chalicelib.config import Settings, local_settings
from chalicelib.errors import NotFound, PayloadTooLarge, VdpError

PROJECT_DIR = Path(__file__).resolve().parent.parent
SITE_DIR = PROJECT_DIR / "examples" / "policy-site"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


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
    """chalice local, closer to API Gateway: real source address, size limit, our 404."""

    max_body_bytes = 6 * 1024 * 1024

    def __init__(self, request: Any, client_address: Any, server: Any, **kwargs: Any) -> None:
        self._client_ip = client_address[0]
        super().__init__(request, client_address, server, **kwargs)

    def _vdp_handle(self) -> None:
        # chalice local hard-codes 127.0.0.1 as the source; pass the real one.
        self.local_gateway.event_converter.LOCAL_SOURCE_IP = self._client_ip
        declared = self.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            self.close_connection = True  # the body is never read
            return self._send_vdp_error(PayloadTooLarge())
        try:
            self._generic_handle_unknown_route()
        except ForbiddenError:
            self.rfile.read(int(declared) if declared.isdigit() else 0)
            self._send_vdp_error(NotFound())

    def _generic_handle_unknown_route(self) -> None:
        headers, body = self._parse_payload()
        response = self.local_gateway.handle_request(
            method=self.command, path=self.path, headers=headers, body=body
        )
        merged = {**response["headers"], **response["multiValueHeaders"]}
        self._send_http_response(
            response["statusCode"], merged, self._handle_binary(response)["body"]
        )

    def _send_vdp_error(self, error: VdpError) -> None:
        # API Gateway answers unknown routes with our gateway response, never echoing headers.
        response = http.finish(http.error_response(error), self.path).to_dict()
        self._send_http_response(response["statusCode"], response["headers"], response["body"])

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
