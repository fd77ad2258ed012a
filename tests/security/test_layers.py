"""The layer rules hold: import-linter's contracts, and app.py's own imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_import_linter_contracts_are_kept() -> None:
    run = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "BROKEN" not in run.stdout and "5 kept, 0 broken" in run.stdout


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_app_imports_neither_the_cli_nor_the_local_stack() -> None:
    # app.py is a module, not a package, so import-linter cannot take it as a root.
    imported = _imported(PROJECT_DIR / "app.py")
    assert imported, "app.py imports something"
    assert not {name for name in imported if name == "vdp" or name.startswith("vdp.")}
    assert {name for name in imported if name.startswith("chalicelib")}
