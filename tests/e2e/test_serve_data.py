"""`vdp serve` keeps its data between runs: a report and its receipt survive a Ctrl-C and a
kill, what was announced is not announced again, and a fresh start is empty."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.receipts import hash_receipt
from tests.builders import CANARY_REPORT, CANARY_TEXTS
from tests.e2e.conftest import VDP, Stack, free_port, start_stack, stop_stack
from tests.e2e.httpclient import post_json, request
from vdp.local.aws.datadir import DataFolder

pytestmark = pytest.mark.e2e


def kept_in(folder: Path, *, fresh: bool = False) -> dict[str, str]:
    """The environment that points `vdp serve` at a data folder (never the checkout's)."""
    return {"VDP_LOCAL_DATA_DIR": str(folder), **({"VDP_LOCAL_FRESH": "1"} if fresh else {})}


def follow(stack: Stack, accepted: dict[str, Any]) -> int:
    """The status code of the reporter's own view, opened with the receipt."""
    receipt = {"Authorization": f"Bearer {accepted['receipt']}"}
    return request("GET", f"{stack.api}/reports/{accepted['report_id']}", headers=receipt).status


def printed(stack: Stack, text: str) -> bool:
    return any(text in line for line in stack.output)


def wait_until_saved(folder: Path, accepted: dict[str, Any], quiet: float = 1.0) -> None:
    """Until the state file holds the report's receipt hash and has not changed for `quiet`
    seconds: the stack saves shortly after each change, so everything is on disk."""
    state, deadline = folder / "state.bin", time.monotonic() + 20
    needle = hash_receipt(accepted["report_id"], accepted["receipt"]).encode()
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        seen = state.stat().st_mtime_ns if state.exists() else None
        if seen != last:
            last, since = seen, time.monotonic()
        elif seen and time.monotonic() - since >= quiet and needle in state.read_bytes():
            return
        time.sleep(0.1)
    raise AssertionError(f"{state} never settled with the report in it")


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The folder of a stack that took one report, announced and mailed it, then had Ctrl-C."""
    folder = tmp_path_factory.mktemp("saved") / "data"
    stack = start_stack(kept_in(folder))
    try:
        accepted = post_json(f"{stack.api}/reports", CANARY_REPORT).json()
        stack.wait_for_output(f"report.received {accepted['report_id']}")
        stack.wait_for_output(f"subject=[{accepted['report_id']}]")
    finally:
        assert stop_stack(stack) == 0
    assert printed(stack, f"local data saved in {folder}")
    return folder, accepted


@pytest.fixture
def copy(saved: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved[0], tmp_path / "data"))


def test_a_report_its_receipt_and_its_key_survive_a_restart(saved, copy: Path) -> None:
    old = saved[1]
    stack = start_stack(kept_in(copy))
    try:
        followed = follow(stack, old)
        shown = stack.cli("reports", "show", old["report_id"], "--json")
        new = post_json(f"{stack.api}/reports", CANARY_REPORT).json()
        stack.wait_for_output(f"report.received {new['report_id']}")
        stack.wait_for_output(f"subject=[{new['report_id']}]")
    finally:
        stop_stack(stack)

    assert f"{copy}  (restored: the data saved at " in stack.wait_for_output("local data")
    assert "resources of stage 'local' restored" in stack.wait_for_output("embedded AWS")
    assert followed == 200
    assert json.loads(shown.stdout)["report"]["title"] == CANARY_TEXTS["title"], shown.stderr
    # Announced and mailed in the first run; the new report was, after the restart, in
    # the order of the stream: an old record read again would have come before it.
    assert not printed(stack, f"report.received {old['report_id']}")
    assert not printed(stack, f"subject=[{old['report_id']}]")


def test_a_fresh_start_is_empty_and_sets_the_last_run_aside(saved, copy: Path) -> None:
    old = saved[1]
    stack = start_stack(kept_in(copy, fresh=True))
    try:
        followed = follow(stack, old)
        listed = stack.cli("reports", "list", "--json")
    finally:
        stop_stack(stack)

    line = stack.wait_for_output("local data")
    assert f"{copy}  (started empty, as --fresh asks" in line and "previous-state.bin" in line
    assert followed == 404
    assert json.loads(listed.stdout) == [], listed.stderr
    assert (copy / "previous-state.bin").read_bytes().count(old["report_id"].encode())


def test_a_report_survives_a_kill(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    stack = start_stack(kept_in(folder))
    try:
        accepted = post_json(f"{stack.api}/reports", CANARY_REPORT).json()
        wait_until_saved(folder, accepted)
    finally:
        stack.process.kill()  # no Ctrl-C: nothing is saved at the end
        killed = stop_stack(stack)

    again = start_stack(kept_in(folder))
    try:
        followed = follow(again, accepted)
    finally:
        stop_stack(again)

    assert killed == -signal.SIGKILL and not printed(stack, "local data saved in")
    assert followed == 200


def test_a_data_folder_in_use_is_refused(tmp_path: Path) -> None:
    folder = DataFolder.open(tmp_path / "data")  # as a running stack holds it
    ports = [str(x) for flag in ("--port", "--site-port", "--aws-port", "--smtp-port")
             for x in (flag, free_port())]  # fmt: skip
    try:
        result = subprocess.run(  # noqa: S603
            [VDP, "serve", *ports], env={**os.environ, **kept_in(folder.path)},
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    finally:
        folder.close()

    assert result.returncode != 0
    assert f"{folder.path} is in use by another `vdp serve`" in result.stderr
    assert "Traceback" not in result.stderr
