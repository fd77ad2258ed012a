"""`vdp serve`: moto server, the API (chalice local), the example policy site and an SMTP
listener for mail to the security address, in one process; its data kept between runs."""

from __future__ import annotations

import errno
import functools
import ipaddress
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib import bootstrap
from chalicelib.config import Settings, local_settings
from chalicelib.domain.errors import VdpError
from vdp.local import outbox, smtp
from vdp.local.api.servers import api_server, site_server
from vdp.local.aws.datadir import DataFolder
from vdp.local.aws.embedded import EmbeddedAws
from vdp.local.aws.keeper import Keeper, LocalData
from vdp.local.aws.resources import create_resources, find_resources
from vdp.local.banner import Endpoints, banner
from vdp.local.notifications import watch_notifications

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
log = logging.getLogger(__name__)


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


def serve(
    ports: Listeners,
    host: str = "127.0.0.1",
    echo: Callable[[str], None] = print,
    data: LocalData | None = None,
) -> None:
    """Run the whole local stack until Ctrl-C (or SIGTERM). Its data stays in `data.path`
    (by default VDP_LOCAL_DATA_DIR, else .vdp-local) for the next run."""
    data = data or LocalData.from_environment()
    roles = (("API", ports.api), ("policy site", ports.site), ("AWS", ports.aws))
    for role, port in (*roles, ("SMTP", ports.smtp)):
        ensure_free(host, port, role)
    folder = DataFolder.open(data.path)
    try:
        _run(ports, host, echo, Keeper(folder, EmbeddedAws(host, ports.aws)), data.fresh)
    finally:
        folder.close()


def _run(
    ports: Listeners, host: str, echo: Callable[[str], None], keeper: Keeper, fresh: bool
) -> None:
    restored, data_line = keeper.restore(fresh)  # before moto serves its first request
    keeper.aws.start()
    named = reachable(host)
    settings = _point_at(named, ports)
    make_client = functools.partial(bootstrap.client, settings)
    resources = (find_resources if restored else create_resources)(settings, make_client)
    stop = threading.Event()
    stoppers = _start(settings, host, ports, keeper, resources.team_queue_url, stop, echo)
    at = Endpoints(
        api=f"http://{named}:{ports.api}",
        site=f"http://{named}:{ports.site}",
        aws=f"http://{named}:{ports.aws}",
        smtp_host=named,
        smtp_port=ports.smtp,
        team_queue_arn=resources.team_queue_arn,
    )
    for line in banner(at, bootstrap.policy(), data_line, restored):
        echo(line)
    _wait_for_stop(stop)
    for stopper in stoppers:
        stopper()
    _save_at_stop(keeper, echo)
    keeper.aws.stop()
    echo("vdp stopped")


def _point_at(named: str, ports: Listeners) -> Settings:
    """The process's environment and settings for the local stack; the settings."""
    endpoint = f"http://{named}:{ports.aws}"
    os.environ.update(local_environment(endpoint))
    os.environ["VDP_LOCAL_SITE_ORIGIN"] = f"http://{named}:{ports.site}"
    # Links the API hands out (status_url, security.txt) name this server, never the
    # client's Host header.
    if not os.environ.get("VDP_PUBLIC_URL"):
        os.environ["VDP_PUBLIC_URL"] = f"http://{named}:{ports.api}"
    return local_settings(endpoint)


def _start(
    settings: Settings,
    host: str,
    ports: Listeners,
    keeper: Keeper,
    queue_url: str,
    stop: threading.Event,
    echo: Callable[[str], None],
) -> list[Callable[[], None]]:
    """The servers and the workers, started; what stops the servers."""
    mailed = len(smtp.sent_mail())  # a restored run's mail was printed in that run
    (api, app), named = api_server(host, ports.api), reachable(host)
    site = site_server(host, ports.site, f"http://{named}:{ports.api}")
    publisher = app.handler_map["publish_events"]  # the function the stream triggers on AWS
    # The function SES's receipt rule invokes on AWS, fed by the local SMTP listener.
    inbound = smtp.start_listener(settings, host, ports.smtp, app.handler_map["receive_mail"], echo)
    workers: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
        (api.server.serve_forever, ()),
        (site.serve_forever, ()),
        (outbox.run, (settings, publisher, stop, keeper.position)),
        (watch_notifications, (settings, queue_url, stop, echo)),
        (smtp.watch_sent_mail, (stop, echo, mailed)),
        (keeper.keep, (stop,)),
    ]
    for target, args in workers:
        threading.Thread(target=target, args=args, daemon=True).start()
    return [api.shutdown, site.shutdown, inbound.stop]


def _save_at_stop(keeper: Keeper, echo: Callable[[str], None]) -> None:
    try:
        keeper.save()
    except Exception:  # noqa: BLE001 - said loudly; the stack still stops
        log.exception("local data not saved at stop")
        echo(f"local data NOT saved in {keeper.folder.path} (see the error above)")
        return
    echo(f"local data saved in {keeper.folder.path}")


def _wait_for_stop(stop: threading.Event) -> None:
    # Installed explicitly: a shell starts background jobs with SIGINT ignored, and
    # Python would then never raise KeyboardInterrupt.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
