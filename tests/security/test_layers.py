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


# The layout's sizes: a package a reader can take in at a glance, a module one can read.
MAX_MODULES_PER_PACKAGE = 12
MAX_LINES_PER_MODULE = 250
PYTHON_ROOTS = ("chalicelib", "vdp")


def _packages() -> list[Path]:
    return sorted(
        init.parent for root in PYTHON_ROOTS for init in (PROJECT_DIR / root).rglob("__init__.py")
    )


def test_no_package_holds_more_than_twelve_modules() -> None:
    packages = _packages()
    assert len(packages) > 10, "the layout has packages"
    crowded = {
        str(package.relative_to(PROJECT_DIR)): count
        for package in packages
        if (count := len([m for m in package.glob("*.py") if m.name != "__init__.py"]))
        > MAX_MODULES_PER_PACKAGE
    }
    assert crowded == {}


def test_no_module_is_longer_than_250_lines() -> None:
    modules = [PROJECT_DIR / "app.py"] + [m for p in _packages() for m in p.glob("*.py")]
    long = {
        str(module.relative_to(PROJECT_DIR)): lines
        for module in modules
        if (lines := len(module.read_text().splitlines())) > MAX_LINES_PER_MODULE
    }
    assert long == {}


def test_no_test_module_imports_from_another_test_module() -> None:
    # Shared samples and helpers live in builders.py, fakes.py, helpers modules and the
    # like, where a newcomer looks for them, never inside another test module.
    modules = sorted((PROJECT_DIR / "tests").rglob("*.py"))
    assert len(modules) > 50, "the tests are there"
    borrowed = {
        str(module.relative_to(PROJECT_DIR)): sorted(
            name for name in _imported(module) if name.rsplit(".", 1)[-1].startswith("test_")
        )
        for module in modules
    }
    assert {module: names for module, names in borrowed.items() if names} == {}


def test_one_class_per_name() -> None:
    modules = [PROJECT_DIR / "app.py"] + [m for p in _packages() for m in p.glob("*.py")]
    defined: dict[str, list[str]] = {}
    for module in modules:
        for node in ast.parse(module.read_text(), str(module)).body:
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(str(module.relative_to(PROJECT_DIR)))
    assert len(defined) > 50, "the classes are found"
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}
