"""Cold start: a fresh interpreter imports app.py and handles its first submission.

Each measurement is a new Python process. Both kinds of child first start moto
in-process and create the resources (moto's import and setup are not ours and
load boto3 in both), then start the clock:

- app:   import app.py, hand it one API Gateway event for POST /reports (201);
- app_no_email: the same with the reporter's email left out of the sample (name
         kept): email-validator is imported only for an address;
- floor: import boto3, pydantic, chalice and cryptography, build a session and
         clients, make the same AWS calls directly: read the HMAC secret (once per
         container, as the app does), then bench.common.floor_submission (the request
         path's calls: the rate window, a data key and an object for the report part and
         for the contact part, the row);
- floor_our_session: the same with the app's boto3 session (chalicelib/aws_session.py,
         which skips botocore's listing of every service) instead of boto3's default;
- stack: the floor plus the least validation with this project's libraries: three
         pydantic models with the sample's field types and limits (the email checked
         by email-validator, as ours is; pydantic's plugins off, as ours are) validate
         the report first -- the least-validation floor;
- stack_str_email: the same with the email checked for its length only;
- stack_same_libraries: the stack, and also the two libraries the app imports for this
         sample besides those: the policy file read with tomllib and the sample's version
         checked against its ranges with packaging (bench.least_validation).
The target figure, cold_start, is app / stack: a cold start without SnapStart against
the least a validating intake built on these libraries must do. cold_start_same_libraries
holds app / stack_same_libraries to the same target: a floor that imports the same
libraries as the app, as the figure was first defined. The rest are
informational: cold_start_vs_floor is app / floor (the same calls without any
validation); the stack children show how much pydantic models and email-validator
take before any of vdp's own work; floor_our_session shows the app against a floor
that gets the app's boto3 session too; app_no_email shows the app without the one
library import that only an address needs.

The app runs from bytecode, as the Lambda package ships it (infra/build.py
precompiles app.py and chalicelib): `compileall` writes it first, because this
machine sets PYTHONDONTWRITEBYTECODE and a child would otherwise compile our
source on every start while the libraries' bytecode is already installed.
Children alternate (app, floor, stack, stack_str_email, floor_our_session,
app_no_email, app, ...) after one discarded warm-up of each (page cache); each
figure is a ratio of medians.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench import common
from bench.least_validation import (  # the libraries are imported inside, timed
    read_policy_and_check_version,
    validate,
)

TARGET = 1.05  # app / least-validation floor
WITHOUT_EMAIL = {"reporter": {"name": common.SAMPLE_REPORT["reporter"]["name"]}}
# name, child, the child it is compared with, what the figure's detail says
INFORMATIONAL = (
    ("cold_start_vs_floor", "app", "floor",
     "app {app:.1f} ms / floor without validation {floor:.1f} ms"),
    ("cold_start_least_validation", "stack", "floor",
     "floor + three pydantic models validating the sample (email via email-validator) "
     "{stack:.1f} ms / floor {floor:.1f} ms"),
    ("cold_start_least_validation_str_email", "stack_str_email", "floor",
     "the same with the email as a plain string {stack_str_email:.1f} ms / floor {floor:.1f} ms"),
    ("cold_start_vs_floor_our_session", "app", "floor_our_session",
     "app {app:.1f} ms / floor with the app's boto3 session {floor_our_session:.1f} ms "
     "(vdp's own overhead alone)"),
    ("cold_start_without_email", "app_no_email", "floor",
     "app {app_no_email:.1f} ms for the sample without the reporter's email (so without "
     "importing email-validator) / floor {floor:.1f} ms"),
)  # fmt: skip
KINDS = (
    "app", "floor", "stack", "stack_str_email", "stack_same_libraries", "floor_our_session",
    "app_no_email",
)  # fmt: skip


def child(kind: str) -> None:
    with common.in_process_aws():
        body = common.report_body(WITHOUT_EMAIL if kind == "app_no_email" else None)
        start = time.perf_counter()
        if kind.startswith("app"):
            from app import app

            common.submit_through_app(app, common.api_event(body))
        else:
            # The libraries' working parts (`import pydantic` alone loads nothing).
            import boto3  # noqa: F401
            from chalice.app import Chalice  # noqa: F401
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401
            from pydantic import BaseModel  # noqa: F401

            if kind.startswith("stack"):
                os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"  # as the app sets it
                validate(body, email_validator=kind != "stack_str_email")
            if kind == "stack_same_libraries":
                version = common.SAMPLE_REPORT["version"]
                read_policy_and_check_version(os.environ["VDP_POLICY_PATH"], version)
            if kind == "floor_our_session":
                from chalicelib.adapters.session import session

                clients = common.floor_clients(session())
            else:
                clients = common.floor_clients()
            common.floor_secret(clients)
            common.floor_submission(clients, 0, common.floor_payload(), common.floor_contact())
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
    args = common.arguments(__doc__.splitlines()[0], child={"choices": KINDS}, runs={"type": int})
    if args.child:
        child(args.child)
        return
    runs = args.runs or (1 if args.smoke else 12)
    precompile()
    if not args.smoke:
        for kind in KINDS:  # warm-up: page cache
            run_child(kind)
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(runs):
        for kind in KINDS:
            samples[kind].append(run_child(kind))
    ms = {kind: common.median_ms(times) for kind, times in samples.items()}
    app_ms, stack_ms = ms["app"], ms["stack"]
    ratio = app_ms / stack_ms
    common.figure(
        "cold_start",
        ratio,
        "x",
        f"<= {TARGET}x (the least-validation floor; no SnapStart)",
        common.verdict(ratio, at_most=TARGET),
        f"app {app_ms:.1f} ms / least-validation floor {stack_ms:.1f} ms (the floor's "
        "libraries and calls + three pydantic models and email-validator on the sample); "
        f"median of {runs} fresh processes each, alternated; after moto setup; bytecode as "
        "packaged (cryptography's and chalice's Python parts, which both sides import, are "
        "source in the package)",
    )
    same = ms["app"] / ms["stack_same_libraries"]
    common.figure(
        "cold_start_same_libraries",
        same,
        "x",
        f"<= {TARGET}x (a floor importing the same libraries as the app; no SnapStart)",
        common.verdict(same, at_most=TARGET),
        f"app {app_ms:.1f} ms / {ms['stack_same_libraries']:.1f} ms: the least-validation "
        "floor, plus the policy file read with tomllib and the sample's version checked "
        f"against its ranges with packaging; same runs",
    )
    for name, kind, against, what in INFORMATIONAL:
        common.figure(
            name,
            ms[kind] / ms[against],
            "x",
            "none (informational)",
            "no verdict",
            f"{what.format(**ms)}; same runs",
        )


if __name__ == "__main__":
    main()
