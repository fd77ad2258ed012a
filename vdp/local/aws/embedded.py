"""The embedded AWS: moto's server, with a gate the requests that may change its state
pass, so that a save sees the state between them, never in the middle of one, and a note
of whether such a request came since the last save."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Actions that change nothing worth keeping. The stack's pollers (the stream, the team
# queue) call only these, so an idle stack is never saved again and again.
READ_ONLY = ("Get", "List", "Describe", "Scan", "Query", "BatchGet", "Receive", "Decrypt")


class Gate:
    """Writes pass side by side; `closed` waits for those inside and holds the others."""

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._inside = 0
        self._closed = False

    @contextmanager
    def passing(self) -> Iterator[None]:
        with self._turn:
            self._turn.wait_for(lambda: not self._closed)
            self._inside += 1
        try:
            yield
        finally:
            with self._turn:
                self._inside -= 1
                self._turn.notify_all()

    @contextmanager
    def closed(self) -> Iterator[None]:
        with self._turn:
            self._turn.wait_for(lambda: not self._closed)
            self._closed = True
            self._turn.wait_for(lambda: self._inside == 0)
        try:
            yield
        finally:
            with self._turn:
                self._closed = False
                self._turn.notify_all()


def may_change(environ: dict[str, Any]) -> bool:
    """Whether a request may change state: a read (GET, HEAD, or a JSON action named as
    one) does not; anything else, a form-encoded action too, is counted as a change."""
    if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
        return False
    action = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
    return not action.startswith(READ_ONLY)


class EmbeddedAws:
    """moto's server on `host:port`; `changed` is set after a request that may change state."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.gate = Gate()
        self.changed = threading.Event()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from vdp.local.aws.moto_http import QuietMotoHandler, QuietMotoServer

        moto = DomainDispatcherApplication(create_backend_app)
        self._server = QuietMotoServer(
            self.host, self.port, self._gated(moto), handler=QuietMotoHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _gated(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            # Reads pass around the gate: a long poll of a queue must not hold a save,
            # and with it every request behind the save, for up to 20 seconds.
            if not may_change(environ):
                return app(environ, start_response)
            with self.gate.passing():
                try:
                    return app(environ, start_response)
                finally:
                    # After the change, inside the gate: a save that clears the note
                    # waits for this request, so no change goes unnoted and unsaved.
                    self.changed.set()

        return gated
