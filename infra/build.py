"""Build the production CloudFormation template and the Lambda zip (`make package`).

chalice package runs pip itself: a first `pip download -r requirements.txt` for
this machine, then `pip download --platform manylinux... --abi cp311` for every
package whose wheel Lambda cannot load. Both read PIP_* variables, so we fill a
wheelhouse once (when the requirements change and the network is there) and
run chalice with PIP_NO_INDEX against it: the build itself never needs a network.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import lambda_python

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
LIBRARY_LAYER = ROOT / "infra" / "library-layer.txt"
MERGE_TEMPLATE = ROOT / "infra" / "resources.json"
POLICY = ROOT / "chalicelib" / "policy.toml"
# The shipped policy's team key (chalicelib/demo-team-key.asc): its secret key is public,
# in examples/demo-team-key/, so a stage packaged with it would take reports encrypted to a
# key anyone can open. Only a build that says so (tests, benchmarks) may package it.
DEMO_FINGERPRINT = "C37342B5B6634D710C2EF1335C22797AADCC6CAA"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
ZIP_BUDGET = 8_000_000  # 8 MB, read as decimal megabytes (the stricter reading)
# Lambda's python3.12 runtime (Amazon Linux 2023) has glibc 2.34; chalice asks pip for
# the same tags.
LAMBDA_PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(17, 35)] + [
    "manylinux2014_x86_64"
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    parser.add_argument("--stage", default="prod")
    parser.add_argument(
        "--allow-demo-key", action="store_true", help="package the demo team key (never deploy)"
    )
    args = parser.parse_args()
    refusal = None if args.allow_demo_key else demo_key_refusal(POLICY)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    if not lambda_python.is_current():  # build under the functions' own Python version
        python = lambda_python.environment()
        return subprocess.run([str(python), __file__, *sys.argv[1:]], check=False).returncode  # noqa: S603
    fill_wheelhouse()
    if package(args.out, args.stage) != 0:
        print("error: chalice package failed (see above)", file=sys.stderr)
        return 1
    repack(args.out / "deployment.zip")
    if build_layer(args.out / "library-layer.zip") != 0:
        print("error: the library layer could not be built (see above)", file=sys.stderr)
        return 1
    invoke_the_alias(args.out / "sam.json")
    report_size(args.out / "deployment.zip")
    (args.out / "python.txt").write_text(sys.executable + "\n")  # what the checks load it with
    return 0


def demo_key_refusal(policy: Path) -> str | None:
    """One line refusing a policy whose team key is the demo key, or None."""
    import tomllib

    with policy.open("rb") as source:
        named = tomllib.load(source).get("encryption", {}).get("pgp_fingerprint", "")
    if str(named).replace(" ", "").upper() != DEMO_FINGERPRINT:
        return None
    return (
        f"error: {policy.relative_to(ROOT) if policy.is_relative_to(ROOT) else policy} names "
        "the demo team key, whose secret key is public: put your team's own key there "
        "(pgp_key_file, pgp_fingerprint), or pass --allow-demo-key for a build never deployed"
    )


def build_layer(target: Path) -> int:
    """The library layer (OpenPGP, Babel): its requirements for Lambda's platform, under
    python/; Babel keeps the locale data of the policy's languages only."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "python"
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        arguments = ["install", "--quiet", "--no-deps", "--target", str(site)]
        arguments += ["-r", str(LIBRARY_LAYER)]
        arguments += ["--only-binary=:all:", "--implementation", "cp", "--python-version", version]
        arguments += [f"--platform={tag}" for tag in LAMBDA_PLATFORMS]
        arguments += ["--find-links", str(WHEELHOUSE), "--retries", "1", "--timeout", "20"]
        if _pip(arguments).returncode != 0:
            return 1
        prune_locale_data(site / "babel" / "locale-data")
        # /opt is read-only as /var/task is: bytecode built here, or Lambda would compile
        # the layer's Python at every cold start.
        compileall.compile_dir(
            site, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
        )
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as layer:
            for path in sorted(site.rglob("*")):
                if path.is_file():
                    layer.write(path, path.relative_to(folder))
    print(f"library layer: {target.name} {target.stat().st_size:,} bytes")
    return 0


def prune_locale_data(folder: Path) -> None:
    """Babel's data for the languages the policy offers (and the root they fall back on):
    the other ~1,000 locales would add about 30 MB that no page or mail reads."""
    import tomllib

    with (ROOT / "chalicelib" / "policy.toml").open("rb") as policy:
        kept = {"root", *tomllib.load(policy).get("languages", ["en"])}
    for data in folder.glob("*.dat"):
        if data.stem not in kept:
            data.unlink()


def invoke_the_alias(template: Path) -> None:
    """API Gateway calls the API function's published alias (SnapStart applies to published
    versions only); chalice's own template names the unpublished function. SAM names the
    alias that AutoPublishAlias ("live") publishes APIHandlerAliaslive."""
    text = template.read_text()
    unpublished = "functions/${APIHandler.Arn}/invocations"
    if unpublished not in text:
        raise SystemExit("error: the API's Lambda integration was not found in the template")
    template.write_text(text.replace(unpublished, "functions/${APIHandlerAliaslive}/invocations"))


def fill_wheelhouse() -> None:
    """Download this machine's and Lambda's wheels, unless already done for these pins."""
    stamp = WHEELHOUSE / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    common = ["download", "-r", str(REQUIREMENTS), "--dest", str(WHEELHOUSE), "-qq"]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    lambda_tags = ["--only-binary=:all:", "--implementation", "cp", "--python-version", version]
    lambda_tags += ["--abi", f"cp{version.replace('.', '')}"]
    lambda_tags += [f"--platform={tag}" for tag in LAMBDA_PLATFORMS]
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


# Never imported in Lambda: email-validator's deliverability check (dnspython; the intake
# checks syntax only), pydantic's v1 copy and mypy plugin, cffi's and pycparser's Python
# code (cdef parsing at build time; cryptography loads only the _cffi_backend extension),
# and packaging's modules for package metadata, markers and requirements (vdp compares
# versions only: version, specifiers, and every module they import, even lazily, stay).
UNUSED = (
    "dns/", "dnspython-", "pydantic/v1/", "pydantic/mypy.py", "cffi/", "cffi-",
    "pycparser/", "pycparser-",
    # pydantic's opt-in experimental API; installers' file lists and build SBOMs in the
    # dist-info folders (licences stay; METADATA keeps its headers, see _headers_only)
    "pydantic/experimental/",
    # pydantic's deprecated colour type, and packaging's version ranges, which only
    # SpecifierSet.to_range imports (vdp checks versions against specifiers, never ranges)
    "pydantic/color.py", "packaging/ranges.py",
    *(f"packaging/{name}" for name in (
        "licenses/", "metadata.py", "pylock.py", "markers.py", "requirements.py",
        "_parser.py", "_tokenizer.py", "direct_url.py", "dependency_groups.py", "errors.py",
    )),
)  # fmt: skip
# Libraries every cold start imports, shipped as bytecode only: /var/task is read-only, so
# Lambda would otherwise compile their source at each cold start (pydantic alone is 1.3 MB).
# Bytecode is larger than source, zipped: if the 8 MB budget gets tight, give packaging back.
BYTECODE_ONLY = (
    "pydantic/", "pydantic_core/", "annotated_types/", "typing_extensions.py",
    "typing_inspection/", "packaging/",
)  # fmt: skip
# Our code keeps its source (readable tracebacks) beside hash-checked bytecode.
OWN_CODE = ("app.py", "chalicelib/")
# The catalogs' sources: Lambda reads only the compiled .mo files.
CATALOG_SOURCES = (".po", ".pot", "locales/babel.cfg")


def repack(path: Path) -> None:
    """Recompress at level 9; drop type stubs and the modules Lambda never imports; strip
    the extension modules' symbol tables (`strip --strip-unneeded` keeps what the loader
    needs); add bytecode for what a cold start imports. Same code, smaller and faster."""
    packed = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w") as target:

        def add(info: zipfile.ZipInfo | str, data: bytes) -> None:
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

        for info in source.infolist():
            name = info.filename
            dropped = name.endswith((".pyi", ".pyc", *CATALOG_SOURCES))
            if dropped or name.startswith(UNUSED) or _bookkeeping(name):
                continue  # .pyc: a developer's own cache, copied by chalice; ours follow
            data = source.read(info)
            if name.endswith(".dist-info/METADATA"):
                data = _headers_only(data)
            if name.endswith(".so"):
                data = stripped(data)
            if name.endswith(".py") and name.startswith(BYTECODE_ONLY):
                add(_entry(info, name + "c"), bytecode(name, data, checked=False))
                continue
            add(info, data)
            if name.endswith(".py") and name.startswith(OWN_CODE):
                folder, _, module = name.rpartition("/")
                cached = f"{folder}/__pycache__/" if folder else "__pycache__/"
                cached += f"{module[:-3]}.{sys.implementation.cache_tag}.pyc"
                add(_entry(info, cached), bytecode(name, data, checked=True))
    packed.replace(path)


def _bookkeeping(name: str) -> bool:
    """A dist-info's RECORD or SBOM: what an installer or auditor reads, not the runtime."""
    folder, _, rest = name.partition("/")
    return folder.endswith(".dist-info") and (rest == "RECORD" or rest.startswith("sboms/"))


def _headers_only(metadata: bytes) -> bytes:
    """A package's METADATA without its long description (the README after the headers):
    importlib.metadata reads the name and version from the headers."""
    headers, _, _ = metadata.partition(b"\n\n")
    return headers + b"\n"


def bytecode(name: str, source: bytes, *, checked: bool) -> bytes:
    """A hash-based .pyc for this interpreter, which is the runtime chalice packages for.

    Hash-based, not timestamp-based: a zip keeps times to two seconds. `checked` bytecode
    is recompiled if its source changes; unchecked bytecode has no source beside it."""
    from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]
    from importlib.util import source_hash

    code = compile(source, name, "exec", dont_inherit=True)
    return bytes(_code_to_hash_pyc(code, source_hash(source), checked))


def _entry(like: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=like.date_time)
    entry.external_attr = like.external_attr
    return entry


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
        f"{verdict} the {ZIP_BUDGET / 1e6:.0f} MB budget"
    )


def _pip(arguments: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pip", *arguments], check=False)  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
