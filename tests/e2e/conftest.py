"""Start `vdp serve` as a user would (the console script, free ports) and stop it with Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
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

from chalicelib.domain.policy.document import DEFAULT_POLICY

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
    smtp: int = 0  # the SMTP listener's port (mail to the security address)
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


def team_member_queue(stack: Stack) -> str:
    """Another team member's queue, subscribed like any subscriber would be."""
    sqs, sns = stack.client("sqs"), stack.client("sns")
    url = sqs.create_queue(QueueName=f"member-{time.monotonic_ns()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    topic = "arn:aws:sns:us-east-1:123456789012:vdp-local-events"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url


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


def own_data() -> dict[str, str]:
    """A data folder of the stack's own: never the checkout's, never another stack's."""
    return {"VDP_LOCAL_DATA_DIR": tempfile.mkdtemp(prefix="vdp-e2e-data-")}


def start_stack(extra_env: dict[str, str] | None = None, *, strict_limits: bool = False) -> Stack:
    ports = {"--port": free_port(), "--site-port": free_port(), "--aws-port": free_port(),
             "--smtp-port": free_port()}  # fmt: skip
    args = [VDP, "serve", *(str(x) for pair in ports.items() for x in pair)]
    limits = {} if strict_limits else {"VDP_POLICY_PATH": relaxed_policy()}
    env = {**os.environ, **limits, **own_data(), **(extra_env or {})}
    process = subprocess.Popen(  # noqa: S603
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    stack = Stack(
        process,
        api=f"http://127.0.0.1:{ports['--port']}",
        site=f"http://127.0.0.1:{ports['--site-port']}",
        aws=f"http://127.0.0.1:{ports['--aws-port']}",
        smtp=ports["--smtp-port"],
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


# --- Headless Chromium and the policy site (browser tests) -------------------------------

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the networking flags Chromium's own background connections fail on a closed
# network and slow every test down.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESCRIPTION = "The export endpoint reads any file: GET /export?file=../../etc/passwd."


def start_site_stack(tmp: Path) -> Stack:
    """`vdp serve` whose policy allows the site's (free) port to call and frame the API."""
    ports = {"--port": free_port(), "--site-port": free_port(), "--aws-port": free_port(),
             "--smtp-port": free_port()}  # fmt: skip
    site = f"http://127.0.0.1:{ports['--site-port']}"
    policy = Path(relaxed_policy()).read_text()
    policy = re.sub(r"^allowed_origins = .*$", f'allowed_origins = ["{site}"]', policy, flags=re.M)
    (tmp / "policy.toml").write_text(policy)
    env = {**os.environ, "VDP_POLICY_PATH": str(tmp / "policy.toml"), **own_data()}
    args = [VDP, "serve", *(str(x) for pair in ports.items() for x in pair)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)  # fmt: skip
    stack = Stack(process, api=f"http://127.0.0.1:{ports['--port']}", site=site,
                  aws=f"http://127.0.0.1:{ports['--aws-port']}")  # fmt: skip
    stack.reader = threading.Thread(target=lambda: stack.output.extend(process.stdout or []),
                                    daemon=True)  # fmt: skip
    stack.reader.start()
    _wait_until_healthy(stack)
    return stack


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_site_stack(tmp_path_factory.mktemp("policy"))
    yield running
    if running.process.poll() is None:
        stop_stack(running)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    opened = context.new_page()
    opened.problems = []  # console errors, CSP violations among them
    opened.on("console", lambda m: m.type == "error" and opened.problems.append(m.text))
    opened.on("pageerror", lambda e: opened.problems.append(str(e)))
    yield opened
    context.close()


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fill_report(form: Any, title: str) -> None:
    form.get_by_label("Title").fill(title)
    form.get_by_label("Product").select_option("example-app")
    form.get_by_label("Version").fill("2.1.0")
    form.get_by_label("Description").fill(DESCRIPTION)
    form.get_by_label("Your name").fill("Grace Reporter")  # credit is for known reporters
    form.get_by_label("Credit me publicly").check()
    form.get_by_label("Name to credit").fill("canary-researcher")
    form.get_by_label("I have read and accept").check()
