"""The package itself: cfn-lint clean, and a Lambda zip without the runtime's boto3."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

LAMBDA_ZIP_LIMIT = 50 * 2**20  # direct upload limit; the build prints our 8 MiB budget


def test_cfn_lint_reports_nothing(package_dir: Path) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    result = subprocess.run(
        [str(cfn_lint), str(package_dir / "sam.json")], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_lambda_zip_carries_the_app_but_not_boto3(package_dir: Path) -> None:
    path = package_dir / "deployment.zip"
    with zipfile.ZipFile(path) as archive:
        top = {name.split("/", 1)[0] for name in archive.namelist()}

    assert {"app.py", "chalicelib", "chalice", "pydantic", "cryptography"} <= top
    assert not top & {"boto3", "botocore", "moto"}
    assert path.stat().st_size < LAMBDA_ZIP_LIMIT
