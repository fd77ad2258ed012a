"""`vdp serve`: moto server, the API (chalice local), the example policy site and an SMTP
listener for mail to the security address, in one process."""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib import bootstrap
from chalicelib.config import local_settings
from chalicelib.domain.errors import VdpError
from vdp.local import outbox, smtp
from vdp.local.notifications import watch_notifications
from vdp.local.servers import api_server, site_server

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class PortBusy(VdpError):
    code = "port_busy"


@dataclass(frozen=True)
class Listeners:
    api: int = 8000
    site: int = 8001
    aws: int = 4566
    smtp: int = 2525


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


def reachable(host: str) -> str:
    """The address links name for a server bound to `host`: bound to every interface, the
    stack is still reached (and linked to) at 127.0.0.1."""
    try:
        unspecified = not host or ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a host name
        return host
    return "127.0.0.1" if unspecified else host


def serve(ports: Listeners, host: str = "127.0.0.1", echo: Callable[[str], None] = print) -> None:
    """Run the whole local stack until Ctrl-C (or SIGTERM)."""
    roles = (("API", ports.api), ("policy site", ports.site), ("AWS", ports.aws))
    for role, port in (*roles, ("SMTP", ports.smtp)):
        ensure_free(host, port, role)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address=host, port=ports.aws, verbose=False)
    moto.start()
    named = reachable(host)
    endpoint = f"http://{named}:{ports.aws}"
    os.environ.update(local_environment(endpoint))
    os.environ["VDP_LOCAL_SITE_ORIGIN"] = f"http://{named}:{ports.site}"
    # Links the API hands out (status_url, security.txt) name this server, never the
    # client's Host header.
    if not os.environ.get("VDP_PUBLIC_URL"):
        os.environ["VDP_PUBLIC_URL"] = f"http://{named}:{ports.api}"
    settings = local_settings(endpoint)
    from vdp.local.resources import create_resources

    resources = create_resources(settings, lambda service: bootstrap.client(settings, service))
    (api, app), stop = api_server(host, ports.api), threading.Event()
    site = site_server(host, ports.site, f"http://{named}:{ports.api}")
    publisher = app.handler_map["publish_events"]  # the function the stream triggers on AWS
    # The function SES's receipt rule invokes on AWS, fed by the local SMTP listener.
    inbound = smtp.start_listener(settings, host, ports.smtp, app.handler_map["receive_mail"], echo)
    workers = [
        threading.Thread(target=api.server.serve_forever, daemon=True),
        threading.Thread(target=site.serve_forever, daemon=True),
        threading.Thread(target=outbox.run, args=(settings, publisher, stop), daemon=True),
        threading.Thread(
            target=watch_notifications,
            args=(settings, resources.team_queue_url, stop, echo),
            daemon=True,
        ),
        threading.Thread(target=smtp.watch_sent_mail, args=(stop, echo), daemon=True),
    ]
    for worker in workers:
        worker.start()
    echo(f"vdp API        http://{named}:{ports.api}  (POST /reports, GET /health)")
    echo(f"policy site    http://{named}:{ports.site}")
    echo(f"embedded AWS   {endpoint}  (moto; resources of stage 'local' created)")
    for line in smtp.banner(named, ports.smtp, bootstrap.policy().contacts.email):
        echo(line)
    echo("notifications to the team appear below; Ctrl-C stops")
    _wait_for_stop(stop)
    api.shutdown()
    site.shutdown()
    inbound.stop()
    moto.stop()
    echo("vdp stopped")


def _wait_for_stop(stop: threading.Event) -> None:
    # Installed explicitly: a shell starts background jobs with SIGINT ignored, and
    # Python would then never raise KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
