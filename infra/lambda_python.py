"""The Python the Lambda package is built with: the functions' own runtime version.

SnapStart (the API function's) runs on Python 3.12 and later, and a package's compiled
parts (pydantic-core's extension, the bytecode the build adds) belong to one Python
version. So the build runs under Python 3.12, in a virtual environment of its own
(build/lambda-python) that holds chalice, the Lambda requirements, and boto3 and moto
for the checks that load the packaged app. Which interpreter: VDP_LAMBDA_PYTHON, else
python3.12 on the PATH, else one that pyenv has installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

VERSION = (3, 12)
ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = ROOT / "build" / "lambda-python"
PYTHON = ENVIRONMENT / "bin" / "python"
REQUIREMENTS = ROOT / "requirements.txt"
TOOLS = ("chalice", "boto3", "moto")  # pinned in pyproject.toml


def is_current() -> bool:
    return sys.version_info[:2] == VERSION


def environment() -> Path:
    """The build environment's python, created or refreshed when the pins change."""
    pins = _tool_pins()
    stamp = ENVIRONMENT / ".installed"
    digest = hashlib.sha256("\n".join([REQUIREMENTS.read_text(), *pins]).encode()).hexdigest()
    if PYTHON.exists() and stamp.exists() and stamp.read_text() == digest:
        return PYTHON
    interpreter = find_interpreter()
    print(f"Preparing {ENVIRONMENT.relative_to(ROOT)} (Python {_dotted()}) for the Lambda build")
    subprocess.run([interpreter, "-m", "venv", "--clear", str(ENVIRONMENT)], check=True)  # noqa: S603
    install = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, *pins, "-r", str(REQUIREMENTS)], check=True)  # noqa: S603
    stamp.write_text(digest)
    return PYTHON


def find_interpreter() -> str:
    for candidate in _candidates():
        if candidate and _version_of(candidate) == VERSION:
            return candidate
    raise SystemExit(
        f"error: the Lambda package is built with Python {_dotted()} (SnapStart's oldest "
        "Python runtime), and none was found: install it, or set VDP_LAMBDA_PYTHON"
    )


def _candidates() -> list[str]:
    found = [os.environ.get("VDP_LAMBDA_PYTHON", ""), shutil.which(f"python{_dotted()}") or ""]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)  # noqa: S603
        versions = Path(root.stdout.strip() or "/nonexistent") / "versions"
        found += sorted(str(p) for p in versions.glob(f"{_dotted()}*/bin/python{_dotted()}"))
    return found


def _version_of(interpreter: str) -> tuple[int, ...] | None:
    probe = "import sys; print(*sys.version_info[:2])"
    try:
        answer = subprocess.run(  # noqa: S603
            [interpreter, "-c", probe], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    parts = answer.stdout.split()
    return tuple(int(part) for part in parts) if answer.returncode == 0 and parts else None


def _tool_pins() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [pin for pin in project["dependencies"] if pin.split("[")[0].split("==")[0] in TOOLS]
    return sorted(pin.replace("[server]", "") for pin in names)


def _dotted() -> str:
    return ".".join(map(str, VERSION))
