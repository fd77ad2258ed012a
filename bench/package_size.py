"""Package: size of the Lambda deployment zip, built as `make package` builds it.

Runs infra/build.py (chalice package for stage prod, then the repack: level-9
compression, no type stubs or unused modules, stripped extension modules,
bytecode) into a temporary folder every time, so the figure is the zip that
deploys, from this checkout. The build runs under the functions' Python (3.12, in
build/lambda-python; infra/lambda_python.py), and the detail names the version it
used. boto3 and botocore must not be in it: Lambda provides them.

Two readings are printed. The figure is the function's own zip against the 8 MB target.
Beside it, informational, the zip plus the library layer (OpenPGP, Babel) the same build
makes (library-layer.zip): what a function brings with it in all, since every function
carries that layer.
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


def build(out: Path) -> Path:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull)
    built = subprocess.run(
        # The shipped policy's demo key: measured, never deployed.
        [
            sys.executable,
            str(common.PROJECT_DIR / "infra" / "build.py"),
            "--out",
            str(out),
            "--allow-demo-key",
        ],
        cwd=common.PROJECT_DIR,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if built.returncode != 0:
        sys.exit(f"infra/build.py failed:\n{built.stdout[-2000:]}{built.stderr[-3000:]}")
    return out / "deployment.zip"


def build_python(out: Path) -> str:
    """The Python version the package was built with (the build records its interpreter)."""
    recorded = out / "python.txt"
    if not recorded.exists():
        return "unknown"
    version = subprocess.run(
        [recorded.read_text().strip(), "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return version.stdout.strip() or "unknown"


def main() -> None:
    common.arguments(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory(prefix="vdp-bench-") as tmp:
        archive = build(Path(tmp) / "package")
        python = build_python(archive.parent)
        size = archive.stat().st_size
        layer = archive.parent / "library-layer.zip"
        layer_size = layer.stat().st_size if layer.exists() else None
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
        f"from infra/build.py (as make package), built with Python {python}",
    )
    if layer_size is None:
        print("        with the library layer: no library-layer.zip was built (informational)")
        return
    total = size + layer_size
    print(
        f"        with the library layer (informational, no target): {total / 1e6:.2f} MB = "
        f"{size} bytes zip + {layer_size} bytes library-layer.zip ({total / 2**20:.2f} MiB)"
    )


if __name__ == "__main__":
    main()
