"""The vendored OpenPGP.js: pinned exactly, byte for byte the pinned npm package's browser
build (installed with `npm ci`, which checks the tarball against package-lock.json's
hash), served from /assets/ as it is stored, and loaded by the form page only with a
Subresource Integrity hash that matches it (never from a CDN)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.policy.document import default_policy
from chalicelib.web.pages import form_page as pages
from chalicelib.web.pages import shell
from tests.conftest import PROJECT_DIR

PACKAGE = json.loads((PROJECT_DIR / "package.json").read_text())
LOCK = json.loads((PROJECT_DIR / "package-lock.json").read_text())
VENDOR = PROJECT_DIR / "chalicelib" / "web" / "static" / "vendor"
# The package's file each vendored file is a copy of.
COPIES = {"openpgp.min.js": "dist/openpgp.min.js", "openpgp.LICENSE": "LICENSE"}
SCRIPT = re.compile(r"<script\b([^>]*)>")


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    """node_modules/openpgp as `npm ci` installs it from the lock file (a checkout's own
    node_modules if it has the pinned version, else a copy under build/, reused while the
    lock file is unchanged)."""
    version = LOCK["packages"]["node_modules/openpgp"]["version"]
    own = PROJECT_DIR / "node_modules" / "openpgp"
    if (own / "package.json").exists() and json.loads((own / "package.json").read_text())[
        "version"
    ] == version:
        yield own
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to check the vendored OpenPGP.js against its package"
    lock = (PROJECT_DIR / "package-lock.json").read_bytes()
    folder = PROJECT_DIR / "build" / "npm-check" / hashlib.sha256(lock).hexdigest()[:16]
    if not (folder / "node_modules" / "openpgp" / "package.json").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(PROJECT_DIR / name, folder / name)
        answer = subprocess.run(  # noqa: S603 - npm's own client, the lock file's package
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert answer.returncode == 0, answer.stderr[-2000:]
    yield folder / "node_modules" / "openpgp"


def test_openpgp_is_pinned_to_one_exact_version() -> None:
    pinned = PACKAGE["dependencies"]["openpgp"]
    locked = LOCK["packages"]["node_modules/openpgp"]

    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, no range"
    assert LOCK["packages"][""]["dependencies"]["openpgp"] == pinned
    assert locked["version"] == pinned and locked["integrity"].startswith("sha512-")


@pytest.mark.parametrize(("vendored", "published"), COPIES.items())
def test_the_vendored_files_are_the_pinned_packages_own(
    installed: Path, vendored: str, published: str
) -> None:
    package = json.loads((installed / "package.json").read_text())

    assert package["version"] == PACKAGE["dependencies"]["openpgp"]
    assert (VENDOR / vendored).read_bytes() == (installed / published).read_bytes()


def test_the_vendored_build_names_its_version() -> None:
    banner = (VENDOR / "openpgp.min.js").read_bytes()[:200].decode()

    assert banner.startswith(f"/*! OpenPGP.js v{PACKAGE['dependencies']['openpgp']} ")


def test_the_form_page_loads_it_from_assets_with_its_integrity_hash() -> None:
    html = pages.form_page(default_policy())
    scripts = {
        attrs["src"]: attrs
        for tag in SCRIPT.findall(html)
        if "src" in (attrs := dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag)))
    }

    assert scripts["assets/openpgp.min.js"]["integrity"] == sri(
        (VENDOR / "openpgp.min.js").read_bytes()
    )
    assert all(src.startswith("assets/") for src in scripts), "no script from another origin"
    assert "defer" in SCRIPT.search(html[html.index('src="assets/openpgp.min.js"') - 10 :])[0]


def test_without_a_team_key_the_page_loads_no_openpgp() -> None:
    policy = default_policy()
    keyless = policy.model_copy(
        update={"encryption": policy.encryption.model_copy(update={"pgp_key": ""})}
    )

    assert "openpgp.min.js" not in pages.form_page(keyless)


def test_assets_serves_the_file_byte_for_byte(aws: Any) -> None:
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        served = client.http.get("/assets/openpgp.min.js")

    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("text/javascript")
    assert served.body == (VENDOR / "openpgp.min.js").read_bytes()
    assert sri(served.body) == shell.integrity("openpgp.min.js")
