"""Start `vdp serve` as a user would (the console script, free ports) and stop it with Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.policy import DEFAULT_POLICY

VDP = str(Path(sys.executable).parent / "vdp")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    process: subprocess.Popen[str]
    api: str
    site: str
    aws: str
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, endpoint_url=self.aws, region_name="us-east-1")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "AWS_ENDPOINT_URL": self.aws}
        return subprocess.run(  # noqa: S603 - our own console script
            [VDP, "--local", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    def wait_for_output(self, text: str, seconds: float = 15) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in list(self.output):
                if text in line:
                    return line
            time.sleep(0.1)
        raise AssertionError(f"`vdp serve` never printed {text!r}; it printed {self.output!r}")


def relaxed_policy() -> str:
    """The default policy with rate limits high enough for a whole test module, and no
    proof-of-work.

    Every e2e client is 127.0.0.1, one source; the rate-limit tests start their own
    stack with the real policy.
    """
    text = DEFAULT_POLICY.read_text()
    for name in (
        "reports_per_hour_per_source",
        "reports_per_hour_global",
        "messages_per_hour_per_source",
        "messages_per_hour_global",
    ):
        text = re.sub(rf"^{name} = \d+$", f"{name} = 100000", text, flags=re.MULTILINE)
    # The proof-of-work tests start their own stack with it switched on.
    text = re.sub(r'^proof_of_work = ".*"$', 'proof_of_work = "off"', text, flags=re.MULTILINE)
    path = Path(tempfile.mkdtemp(prefix="vdp-e2e-")) / "policy.toml"
    path.write_text(text)
    return str(path)


def start_stack(extra_env: dict[str, str] | None = None, *, strict_limits: bool = False) -> Stack:
    ports = {"--port": free_port(), "--site-port": free_port(), "--aws-port": free_port()}
    args = [VDP, "serve", *(str(x) for pair in ports.items() for x in pair)]
    limits = {} if strict_limits else {"VDP_POLICY_PATH": relaxed_policy()}
    env = {**os.environ, **limits, **(extra_env or {})}
    process = subprocess.Popen(  # noqa: S603
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    stack = Stack(
        process,
        api=f"http://127.0.0.1:{ports['--port']}",
        site=f"http://127.0.0.1:{ports['--site-port']}",
        aws=f"http://127.0.0.1:{ports['--aws-port']}",
    )
    stack.reader = threading.Thread(
        target=lambda: stack.output.extend(process.stdout or []), daemon=True
    )
    stack.reader.start()
    _wait_until_healthy(stack)
    return stack


def stop_stack(stack: Stack) -> int:
    stack.process.send_signal(signal.SIGINT)
    code = stack.process.wait(timeout=20)
    if stack.reader is not None:
        stack.reader.join(timeout=5)
    if stack.process.stdout is not None:
        stack.process.stdout.close()
    return code


def _wait_until_healthy(stack: Stack, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise AssertionError(f"`vdp serve` exited early: {stack.output}")
        try:
            with urllib.request.urlopen(f"{stack.api}/health", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    stack.process.kill()
    stop_stack(stack)
    raise AssertionError(f"`vdp serve` never became healthy: {stack.output}")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    running = start_stack()
    yield running
    if running.process.poll() is None:
        stop_stack(running)
