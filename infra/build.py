"""Build the production CloudFormation template and the Lambda zip (`make package`).

chalice package runs pip itself: a first `pip download -r requirements.txt` for
this machine, then `pip download --platform manylinux... --abi cp311` for every
package whose wheel Lambda cannot load. Both read PIP_* variables, so we fill a
wheelhouse once (when the requirements change and the network is there) and
run chalice with PIP_NO_INDEX against it: the build itself never needs a network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
ZIP_BUDGET = 8 * 1024 * 1024
# Lambda's python3.11 runtime has glibc 2.26; chalice asks pip for the same tags.
LAMBDA_PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(17, 27)] + [
    "manylinux2014_x86_64"
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    parser.add_argument("--stage", default="prod")
    args = parser.parse_args()
    fill_wheelhouse()
    if package(args.out, args.stage) != 0:
        print("error: chalice package failed (see above)", file=sys.stderr)
        return 1
    repack(args.out / "deployment.zip")
    report_size(args.out / "deployment.zip")
    return 0


def fill_wheelhouse() -> None:
    """Download this machine's and Lambda's wheels, unless already done for these pins."""
    stamp = WHEELHOUSE / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    common = ["download", "-r", str(REQUIREMENTS), "--dest", str(WHEELHOUSE), "-qq"]
    lambda_tags = ["--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11"]
    lambda_tags += ["--abi", "cp311"] + [f"--platform={tag}" for tag in LAMBDA_PLATFORMS]
    network = ["--retries", "1", "--timeout", "20"]
    for extra in ([], lambda_tags):
        if _pip(common + network + extra).returncode != 0:
            print(
                f"warning: could not fill {WHEELHOUSE} (offline?); building from what is "
                "there and PIP_FIND_LINKS",
                file=sys.stderr,
            )
            return
    stamp.write_text(digest)


def package(out: Path, stage: str) -> int:
    """chalice package with the merge template, pip confined to the wheelhouse."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")  # only picks the partition's principals
    env["PIP_NO_INDEX"] = "1"
    env["PIP_FIND_LINKS"] = " ".join(filter(None, [str(WHEELHOUSE), env.get("PIP_FIND_LINKS")]))
    chalice = Path(sys.executable).with_name("chalice")
    command = [str(chalice), "package", "--stage", stage]
    command += ["--merge-template", str(MERGE_TEMPLATE), str(out)]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


def repack(path: Path) -> None:
    """Recompress at level 9, drop type stubs and strip the extension modules' symbol
    tables (`strip --strip-unneeded` keeps what the loader needs): same code, smaller."""
    packed = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w") as target:
        for info in source.infolist():
            if info.filename.endswith(".pyi"):
                continue
            data = source.read(info)
            if info.filename.endswith(".so"):
                data = stripped(data)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    packed.replace(path)


def stripped(binary: bytes) -> bytes:
    """The shared object without its static symbol table; unchanged if strip is missing."""
    strip = shutil.which("strip")
    if strip is None:
        return binary
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "module.so"
        target.write_bytes(binary)
        result = subprocess.run([strip, "--strip-unneeded", str(target)], check=False)  # noqa: S603
        return target.read_bytes() if result.returncode == 0 else binary


def report_size(path: Path) -> None:
    size = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    verdict = "within" if size <= ZIP_BUDGET else "OVER"
    print(
        f"Lambda zip: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
        f"{size:,} bytes ({size / 2**20:.2f} MiB; {unpacked / 2**20:.1f} MiB unpacked), "
        f"{verdict} the {ZIP_BUDGET // 2**20} MiB budget"
    )


def _pip(arguments: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pip", *arguments], check=False)  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
