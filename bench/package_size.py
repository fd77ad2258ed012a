"""Package: size of the Lambda deployment zip that `chalice package` builds.

Reuses build/**/deployment.zip when `make package` has produced one (unless
--fresh); otherwise runs `chalice package` into a temporary directory (stage
prod, or local while prod's IAM policy file does not exist yet; the zip is the
same for every stage). boto3 and botocore must not be in it: Lambda provides them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from bench import common

TARGET_MB = 8.0
RUNTIME_PROVIDED = ("boto3/", "botocore/", "s3transfer/")


def build(out: Path) -> tuple[Path, str]:
    chalice = str(Path(sys.executable).with_name("chalice"))
    stage = "prod" if (common.PROJECT_DIR / ".chalice" / "policy-prod.json").exists() else "local"
    subprocess.run(
        [chalice, "package", "--stage", stage, str(out / "package")],
        cwd=common.PROJECT_DIR,
        env={**os.environ, **common.LOCAL_ENV},
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out / "package" / "deployment.zip", f"chalice package --stage {stage}"


def existing_build() -> Path | None:
    found = sorted((common.PROJECT_DIR / "build").glob("**/deployment.zip"))
    return found[0] if found else None


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], fresh={"action": "store_true"})
    with tempfile.TemporaryDirectory(prefix="vdp-bench-") as tmp:
        reused = None if args.fresh else existing_build()
        if reused is not None:
            archive, source = reused, str(reused.relative_to(common.PROJECT_DIR))
        else:
            archive, source = build(Path(tmp))
        size = archive.stat().st_size
        with zipfile.ZipFile(archive) as package:
            vendored = sorted(
                {p for name in package.namelist() for p in RUNTIME_PROVIDED if name.startswith(p)}
            )
    mib, mb = size / 2**20, size / 1e6
    common.figure(
        "package_size",
        mb,
        "MB",
        f"<= {TARGET_MB:.0f} MB (decimal, the stricter reading)",
        common.verdict(mb, at_most=TARGET_MB),
        f"{size} bytes = {mib:.2f} MiB; boto3/botocore vendored: {', '.join(vendored) or 'no'}; "
        f"from {source}",
    )


if __name__ == "__main__":
    main()
