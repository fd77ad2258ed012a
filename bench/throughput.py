"""Local throughput (informational): reports per second through `vdp serve`, 8 clients.

Starts this checkout's `vdp serve` on loopback as a subprocess, waits for /health, sends a
bounded number of POST /reports from 8 threads, then stops it with Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from bench import common

CLIENTS = 8
PORTS = {"--port": 8200, "--site-port": 8201, "--aws-port": 4700, "--smtp-port": 2725}


def serve_command(ports: dict[str, int]) -> list[str]:
    """`vdp serve` on these ports, from this checkout (not whichever one the console
    script was installed from): run with cwd=PROJECT_DIR, which comes first on sys.path."""
    command = [sys.executable, "-c", "from vdp.cli.main import main; main()", "serve"]
    return command + [str(part) for pair in ports.items() for part in pair]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(api: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("`vdp serve` exited early")
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("`vdp serve` never became healthy")


def post_report(api: str, body: bytes) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{api}/reports", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        if answer.status != 201:
            raise RuntimeError(f"submission answered {answer.status}")


def run_clients(api: str, requests: int) -> float:
    """Seconds for `requests` submissions shared by CLIENTS threads."""
    body = common.report_body().encode()
    per_client = [requests // CLIENTS + (i < requests % CLIENTS) for i in range(CLIENTS)]
    errors: list[BaseException] = []

    def client(count: int) -> None:
        try:
            for _ in range(count):
                post_report(api, body)
        except BaseException as exc:  # noqa: BLE001 - reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(count,)) for count in per_client]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return time.perf_counter() - start


def start_serve(ports: dict[str, int]) -> tuple[subprocess.Popen[bytes], str]:
    """`vdp serve` from this checkout on these ports, with fake credentials and the bench
    policy (no rate limit), once healthy: the process and the API's URL."""
    common.fake_aws_environment()
    process = subprocess.Popen(
        serve_command(ports),
        cwd=common.PROJECT_DIR,
        # An empty data folder of its own: every run measures the same start.
        env={**os.environ, "VDP_LOCAL_DATA_DIR": tempfile.mkdtemp(prefix="vdp-bench-")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{ports['--port']}"
    try:
        wait_until_healthy(api, process)
    except BaseException:
        process.terminate()
        raise
    return process, api


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], free_ports={"action": "store_true"})
    ports = {flag: free_port() for flag in PORTS} if args.free_ports else PORTS
    requests = 2 * CLIENTS if args.smoke else 400
    process, api = start_serve(ports)
    try:
        run_clients(api, CLIENTS)  # warm-up: one per client
        seconds = run_clients(api, requests)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    rate = requests / seconds
    common.figure(
        "local_throughput",
        rate,
        "reports/s",
        "none set (informational)",
        f"no ratio (no target); {seconds * CLIENTS / requests * 1000:.1f} ms per report per client",
        f"{requests} POST /reports from {CLIENTS} concurrent clients through `vdp serve` "
        f"(chalice local + moto server, loopback) in {seconds:.2f} s",
    )


if __name__ == "__main__":
    main()
