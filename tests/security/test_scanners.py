"""Static security scanners over vdp's own code, run with the tests (and so in CI)."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_DIR

BIN = Path(sys.executable).parent


def test_bandit_finds_nothing_of_medium_or_high_severity() -> None:
    result = subprocess.run(
        [str(BIN / "bandit"), "-r", "chalicelib", "vdp", "app.py", "-f", "json", "-q"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)

    serious = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert report["metrics"]["_totals"]["loc"] > 1000  # it really scanned our code
    assert serious == []


def test_ruff_security_rules_pass() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--select", "S", "--output-format", "concise", "."],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout
