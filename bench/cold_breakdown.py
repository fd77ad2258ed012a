"""Where a cold start's time goes: the app's first submission, split into parts.

Informational, to read next to the cold_start figure. Each fresh process (after
moto setup, our code from bytecode) times, with wrappers around the libraries:

- floor libraries: importing boto3, chalice, cryptography and pydantic, as the floor does;
- clients: boto3 client creation; AWS calls: botocore API calls (moto answering included);
- model classes: pydantic creating vdp's model classes (the `class` statements);
- validators: pydantic building model validators on first use;
- pydantic.fields: the part of pydantic the first `Field()` imports (with pydantic.types
  and annotated-types), which the floor's `from pydantic import BaseModel` does not;
- email-validator, packaging and tomllib: importing them (the submission's email and
  version, the policy file);
- ours: everything else, i.e. importing and running vdp's own code.

The figure is the median of "ours"; the parts are medians too, so they need not add up.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import common
from bench.cold_start import precompile

LIBRARIES = (
    "pydantic.fields", "email_validator", "packaging.specifiers", "packaging.version", "tomllib",
)  # fmt: skip


def child() -> None:
    parts = dict.fromkeys(("clients", "calls", "model classes", "validators"), 0.0)
    parts.update(dict.fromkeys(LIBRARIES, 0.0))
    with common.in_process_aws():
        body = common.report_body()
        start = time.perf_counter()
        import boto3  # noqa: F401
        from chalice.app import Chalice  # noqa: F401
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401
        from pydantic import BaseModel  # noqa: F401

        parts["floor libraries"] = time.perf_counter() - start
        with _timing(parts):
            from app import app

            common.submit_through_app(app, common.api_event(body))
        total = time.perf_counter() - start
    parts["ours"] = total - sum(parts.values())
    parts["total"] = total
    print(json.dumps({name: seconds * 1000 for name, seconds in parts.items()}))


@contextmanager
def _timing(parts: dict[str, float]) -> Iterator[None]:
    """Add each wrapped call's time to its part (outermost call only)."""
    import importlib._bootstrap as bootstrap

    import boto3.session
    import botocore.client
    from pydantic._internal import _model_construction

    def timed(part: Callable[..., str | None], original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            name = part(*args)
            if name is None or _active:
                return original(*args, **kwargs)
            _active.append(name)
            begun = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                parts[name] += time.perf_counter() - begun
                _active.pop()

        return wrapper

    _active: list[str] = []
    patches = [
        (boto3.session.Session, "client", lambda *a: "clients"),
        (botocore.client.BaseClient, "_make_api_call", lambda *a: "calls"),
        (_model_construction.ModelMetaclass, "__new__", lambda *a: "model classes"),
        (_model_construction, "complete_model_class", lambda *a: "validators"),
        (bootstrap, "_find_and_load", lambda name, *a: name if name in LIBRARIES else None),
    ]
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in patches]
    for (owner, attribute, part), (_, _, original) in zip(patches, originals, strict=True):
        setattr(owner, attribute, timed(part, original))
    try:
        yield
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0], child={"action": "store_true"}, runs={"type": int}
    )
    if args.child:
        child()
        return
    runs = args.runs or (1 if args.smoke else 9)
    precompile()
    samples: list[dict[str, float]] = []
    for _ in range(runs + (0 if args.smoke else 1)):  # the first one only warms the cache
        answer = subprocess.run(
            [sys.executable, "-m", "bench.cold_breakdown", "--child"],
            cwd=common.PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        samples.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    samples = samples[-runs:]
    median = {name: statistics.median(s[name] for s in samples) for name in samples[0]}
    common.figure(
        "cold_start_ours",
        median["ours"],
        "ms",
        "none (informational)",
        "no verdict: the parts of cold_start's app side",
        f"median of {runs} fresh processes; the rest of the {median['total']:.0f} ms is below",
    )
    print(
        "        "
        + "; ".join(f"{name} {value:.1f} ms" for name, value in median.items() if name != "ours")
    )


if __name__ == "__main__":
    main()
