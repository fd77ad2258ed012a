"""Cold start: a fresh interpreter imports app.py and handles its first submission.

Each measurement is a new Python process. Both kinds of child first start moto
in-process and create the resources (moto's import and setup are not ours and
load boto3 in both), then start the clock:

- app:   import app.py, hand it one API Gateway event for POST /reports (201);
- floor: import boto3, pydantic, chalice and cryptography, build a session and
         clients, make the same AWS calls directly: read the HMAC secret (once per
         container, as the app does), then bench.common.floor_submission.

The app runs from bytecode, as the Lambda package ships it (infra/build.py
precompiles app.py and chalicelib): `compileall` writes it first, because this
machine sets PYTHONDONTWRITEBYTECODE and a child would otherwise compile our
source on every start while the libraries' bytecode is already installed.
Children alternate (app, floor, app, floor, ...) after one discarded warm-up of
each (page cache); the figure is the ratio of the medians.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench import common

TARGET = 1.15


def child(kind: str) -> None:
    with common.in_process_aws():
        body = common.report_body()
        start = time.perf_counter()
        if kind == "app":
            from app import app

            common.submit_through_app(app, common.api_event(body))
        else:
            # The libraries' working parts (`import pydantic` alone loads nothing).
            import boto3  # noqa: F401
            from chalice.app import Chalice  # noqa: F401
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401
            from pydantic import BaseModel  # noqa: F401

            clients = common.floor_clients()
            common.floor_secret(clients)
            common.floor_submission(clients, 0, common.floor_payload())
        elapsed = time.perf_counter() - start
    print(json.dumps({"kind": kind, "seconds": elapsed}))


def precompile() -> None:
    """Bytecode for our code, as in the Lambda package (timestamp-checked: safe to keep)."""
    import compileall

    compileall.compile_file(common.PROJECT_DIR / "app.py", quiet=1)
    compileall.compile_dir(common.PROJECT_DIR / "chalicelib", quiet=1)


def run_child(kind: str) -> float:
    answer = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", "--child", kind],
        cwd=common.PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(json.loads(answer.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0], child={"choices": ("app", "floor")}, runs={"type": int}
    )
    if args.child:
        child(args.child)
        return
    runs = args.runs or (1 if args.smoke else 12)
    precompile()
    if not args.smoke:
        run_child("app"), run_child("floor")  # warm-up: page cache
    samples: dict[str, list[float]] = {"app": [], "floor": []}
    for _ in range(runs):
        for kind in ("app", "floor"):
            samples[kind].append(run_child(kind))
    app_ms, floor_ms = common.median_ms(samples["app"]), common.median_ms(samples["floor"])
    ratio = app_ms / floor_ms
    common.figure(
        "cold_start",
        ratio,
        "x",
        f"<= {TARGET}x",
        common.verdict(ratio, at_most=TARGET),
        f"app {app_ms:.1f} ms / floor {floor_ms:.1f} ms; median of {runs} fresh processes "
        "each, alternated; after moto setup; bytecode as packaged (cryptography's and "
        "chalice's Python parts, which both sides import, are source in the package)",
    )


if __name__ == "__main__":
    main()
