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


def test_lambda_zip_fits_the_budget_and_its_stripped_binaries_still_load(
    package_dir: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys
    import zipfile

    archive = package_dir / "deployment.zip"
    zipfile.ZipFile(archive).extractall(tmp_path)

    # The extension modules were stripped of symbol tables; import and use them.
    probe = (
        "import os\n"
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM\n"
        "import pydantic_core\n"
        "k = AESGCM(AESGCM.generate_key(256)); n = os.urandom(12)\n"
        "assert k.decrypt(n, k.encrypt(n, b'x', b'a'), b'a') == b'x'\n"
        "import app\n"
        "print(app.app.app_name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n{probe}"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip

    assert archive.stat().st_size <= 8 * 1024 * 1024
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "vdp"
