"""Build the production package once per session; tests read the merged template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`infra/build.py` into a temporary folder: the same build as `make package`, with
    the shipped policy's demo key allowed (this package is inspected, never deployed)."""
    out = tmp_path_factory.mktemp("package")
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull)
    build = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "infra" / "build.py"),
            "--out",
            str(out),
            "--allow-demo-key",
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"infra/build.py failed:\n{build.stdout[-2000:]}{build.stderr[-4000:]}")
    return out


@pytest.fixture(scope="session")
def template(package_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((package_dir / "sam.json").read_text())
    return loaded


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found
