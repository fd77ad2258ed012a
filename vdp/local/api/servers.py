"""`vdp serve`'s two HTTP servers: the API (chalice local, behind our gateway's handler)
and the example policy site, on an origin of its own."""

from __future__ import annotations

import functools
import io
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer

from chalicelib import bootstrap
from vdp.local.api.gateway import VdpHTTPServer, VdpRequestHandler
from vdp.local.api.heads import HeadLimits
from vdp.local.api.quiet import QuietHandler, QuietServer

PROJECT_DIR = Path(__file__).resolve().parents[3]
SITE_DIR = PROJECT_DIR / "examples" / "policy-site"


def api_server(host: str, port: int) -> tuple[LocalDevServer, Any]:
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="local")
    app = factory.load_chalice_app(config.environment_variables)
    bootstrap.reset()
    # What chalice.local.create_local_server does: a thread-local current_request.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    server = LocalDevServer(
        app, config, host, port, handler_cls=VdpRequestHandler, server_cls=VdpHTTPServer
    )
    return server, app


def site_server(host: str, port: int, api_url: str = "") -> ThreadingHTTPServer:
    """The example policy site; `{{VDP_API}}` in its pages becomes the API's origin."""

    class QuietSite(HeadLimits, QuietHandler, SimpleHTTPRequestHandler):
        timeout = 60  # seconds a client may leave its connection silent

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

    return SiteServer((host, port), functools.partial(QuietSite, directory=str(SITE_DIR)))


class SiteServer(QuietServer, ThreadingHTTPServer):
    """The policy site's server, quiet about its clients."""
