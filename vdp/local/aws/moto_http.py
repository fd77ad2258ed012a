"""moto's HTTP server for `vdp serve`, quiet about its clients: werkzeug writes an access
line and its errors with the client's address and a traceback, and names its own and
Python's versions in the Server header."""

from __future__ import annotations

import logging
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import ThreadedWSGIServer

from vdp.local.api.quiet import NOTES, QuietHandler, QuietServer

# werkzeug's own logger prints to stderr unless it has a handler; nothing should reach it.
logging.getLogger("werkzeug").handlers = [logging.NullHandler()]
logging.getLogger("werkzeug").propagate = False


class QuietMotoHandler(QuietHandler, MotoRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - base signature
        pass  # werkzeug's access and error lines, each led by the client's address


class QuietMotoServer(QuietServer, ThreadedWSGIServer):
    def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - base signature
        # werkzeug's "Error on request" with moto's traceback, for an answer it could not give
        NOTES.say("the embedded AWS failed a request and answered 500")
