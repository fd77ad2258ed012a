"""The package itself: cfn-lint clean, and a Lambda zip without the runtime's boto3."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_DIR

LAMBDA_ZIP_LIMIT = 50 * 2**20  # direct upload limit
# What Lambda's Python runtime brings (boto3 and what it imports); the zip brings the rest.
LAMBDA_RUNTIME = frozenset(
    ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
)
PACKAGE_BUDGET = 8_000_000  # 8 MB, read as decimal megabytes (the stricter reading)


def with_layer(package_dir: Path, folder: Path) -> str:
    """The library layer unpacked beside the zip: its python/ is on Lambda's path."""
    target = folder.parent / f"{folder.name}-layer"
    zipfile.ZipFile(package_dir / "library-layer.zip").extractall(target)
    return str(target / "python")


def lambda_python(package_dir: Path) -> str:
    """The interpreter the build used: the functions' Python version, with boto3 and moto."""
    return (package_dir / "python.txt").read_text().strip()


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


def test_lambda_zip_holds_no_cli_or_local_stack_module(package_dir: Path) -> None:
    with zipfile.ZipFile(package_dir / "deployment.zip") as archive:
        names = archive.namelist()
    ours = [name for name in names if name.startswith(("app.py", "chalicelib/"))]
    shipped = {PROJECT_DIR / name for name in ours if name.endswith(".py")}

    assert not [name for name in names if name.startswith("vdp/")]
    assert not [name for name in ours if "/cli/" in name or "/local/" in name]
    # What the zip holds of ours is exactly the Lambda code: app.py and chalicelib/.
    assert shipped == {PROJECT_DIR / "app.py", *(PROJECT_DIR / "chalicelib").rglob("*.py")}
    assert "chalicelib/web/static/form.js" in names and "chalicelib/policy.toml" in names


def test_lambda_zip_fits_the_budget_and_its_stripped_binaries_still_load(
    package_dir: Path, tmp_path: Path
) -> None:
    archive = package_dir / "deployment.zip"
    zipfile.ZipFile(archive).extractall(tmp_path)
    layer = with_layer(package_dir, tmp_path)

    # The extension modules were stripped, unused modules dropped and bytecode added: the
    # packaged app, first on the path, takes a real submission (moto, fake credentials).
    probe = (
        "import os, sys\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, {layer!r}, {str(PROJECT_DIR)!r}]\n"
        "from bench import common\n"
        "with common.in_process_aws():\n"
        "    import app, pydantic, email_validator\n"
        "    common.submit_through_app(app.app, common.api_event(common.report_body()))\n"
        "root = sys.path[0]\n"
        "assert pydantic.__file__.endswith('.pyc'), pydantic.__file__\n"
        # From the layer, with the bytecode built for it (/opt is read-only too).
        f"assert email_validator.__file__.startswith({layer!r}), email_validator.__file__\n"
        "from importlib.util import cache_from_source\n"
        "assert os.path.exists(cache_from_source(email_validator.__file__))\n"
        # Whatever the zip carries was loaded from it (moto and boto3 come from the venv)...
        "zipped = {name.split('.')[0] for name in os.listdir(root)}\n"
        "outside = sorted(name for name, module in list(sys.modules.items())\n"
        "    if name.split('.')[0] in zipped\n"
        "    and not (getattr(module, '__file__', None) or root).startswith(root))\n"
        "assert not outside, outside\n"
        # ... and nothing the build drops was needed, not even from the venv.
        "dropped = sorted(name for name in sys.modules if name.split('.')[0]\n"
        "    in ('dns', 'cffi', 'pycparser') or name.startswith('pydantic.v1'))\n"
        "assert not dropped, dropped\n"
        "print(app.app.app_name)\n"
    )
    result = subprocess.run(
        [lambda_python(package_dir), "-I", "-c", probe], capture_output=True, text=True,
        cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip

    assert archive.stat().st_size <= PACKAGE_BUDGET
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "vdp"


def test_our_code_ships_with_bytecode_that_python_will_use(package_dir: Path) -> None:
    # Checked by the interpreter the package was built for (the functions' runtime): its
    # cache tag names the files, its magic number and source hash head them.
    probe = (
        "import importlib.util, sys, zipfile\n"
        "archive = zipfile.ZipFile(sys.argv[1])\n"
        "names = set(archive.namelist())\n"
        "sources = [n for n in names if n.startswith(('app.py', 'chalicelib/'))\n"
        "    and n.endswith('.py')]\n"
        "for source in sources:\n"
        "    folder, _, module = source.rpartition('/')\n"
        "    cached = f'{folder}/__pycache__/' if folder else '__pycache__/'\n"
        "    cached += f'{module[:-3]}.{sys.implementation.cache_tag}.pyc'\n"
        "    header = archive.read(cached)[:16]\n"
        # PEP 552: magic, flags 0b11 (hash-based, checked), then the source's hash.
        "    assert header[:4] == importlib.util.MAGIC_NUMBER, source\n"
        "    assert int.from_bytes(header[4:8], 'little') == 0b11, source\n"
        "    assert header[8:16] == importlib.util.source_hash(archive.read(source)), source\n"
        "print(len(sources))\n"
    )
    archive = package_dir / "deployment.zip"
    result = subprocess.run(
        [lambda_python(package_dir), "-I", "-c", probe, str(archive)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout) > 40
    names = set(zipfile.ZipFile(archive).namelist())
    assert not {name for name in names if name.startswith(("dns/", "pydantic/v1/"))}


def test_every_library_module_our_code_imports_loads_from_the_zip(
    package_dir: Path, tmp_path: Path
) -> None:
    # The build drops library modules it believes unused (infra/build.py, UNUSED): every
    # import statement in app.py and chalicelib, function-level ones included, must still
    # load from the zip, and so must whatever those modules import in turn.
    zipfile.ZipFile(package_dir / "deployment.zip").extractall(tmp_path)
    layer = with_layer(package_dir, tmp_path)
    shipped = [*tmp_path.iterdir(), *Path(layer).iterdir()]
    zipped = {path.name.split(".")[0] for path in shipped} - {"app", "chalicelib"}
    wanted = _imported_by_our_code(zipped)
    # Then nothing may come from this venv but what the Lambda runtime has.
    probe = (
        "import importlib, sys, sysconfig\n"
        "before = set(sys.modules)  # site's own, from .pth files\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, {layer!r}]\n"
        f"for name in {wanted!r}:\n"
        "    importlib.import_module(name)\n"
        "venv = tuple(sysconfig.get_paths()[kind] for kind in ('purelib', 'platlib'))\n"
        "outside = sorted(name for name, module in list(sys.modules.items())\n"
        "    if name not in before and (getattr(module, '__file__', None) or '').startswith(venv)\n"
        f"    and name.split('.')[0] not in {sorted(LAMBDA_RUNTIME)!r})\n"
        "assert not outside, outside\n"
    )

    result = subprocess.run(
        [lambda_python(package_dir), "-I", "-c", probe], capture_output=True, text=True,
        cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip

    assert {"packaging.specifiers", "packaging.version", "email_validator"} <= set(wanted)
    assert result.returncode == 0, result.stderr[-3000:]


def _imported_by_our_code(libraries: set[str]) -> list[str]:
    """Modules of `libraries` an import in app.py or chalicelib names, chalice's CLI aside."""
    # `from a.b import c` names a.b; a package carries chalice's runtime only, not its CLI.
    sources = [PROJECT_DIR / "app.py", *sorted((PROJECT_DIR / "chalicelib").rglob("*.py"))]
    names = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return sorted(
        name
        for name in names
        if name.split(".")[0] in libraries and not name.startswith(("chalice.cli", "chalice.local"))
    )


def _build_module() -> Any:
    """infra/build.py as a module (it imports its neighbour lambda_python.py)."""
    import importlib.util

    sys.path.insert(0, str(PROJECT_DIR / "infra"))
    try:
        spec = importlib.util.spec_from_file_location(
            "infra_build", PROJECT_DIR / "infra" / "build.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(PROJECT_DIR / "infra"))
    return module


def test_packaging_refuses_the_demo_key_in_one_line_unless_allowed(tmp_path: Path) -> None:
    out = tmp_path / "package"

    build = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "infra" / "build.py"), "--out", str(out)],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert build.returncode == 2 and build.stdout == ""
    [line] = build.stderr.splitlines()
    assert line.startswith("error: chalicelib/policy.toml names the demo team key")
    assert "--allow-demo-key" in line
    assert not out.exists()  # refused before anything was built


def test_the_guard_knows_the_demo_key_by_its_fingerprint_and_lets_others_through(
    tmp_path: Path,
) -> None:
    import pysequoia

    build = _build_module()
    demo = (PROJECT_DIR / "chalicelib" / "demo-team-key.asc").read_bytes()
    shipped = build.POLICY.read_text()
    own = tmp_path / "policy.toml"
    own.write_text(shipped.replace("C373 42B5 B663 4D71", "0123 4567 89AB CDEF"))

    assert pysequoia.Cert.from_bytes(demo).fingerprint.upper() == build.DEMO_FINGERPRINT
    assert build.demo_key_refusal(build.POLICY) is not None
    assert build.demo_key_refusal(own) is None
