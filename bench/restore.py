"""Restore path: the first submission after a SnapStart restore, against a warm one.

Each measurement is a fresh Python process with in-process moto (bench.common). It
imports app.py, which registers snapstart.prepare and snapstart.renew with
snapshot_restore_py; runs the registered before-snapshot hooks, as Lambda does before
it takes the snapshot, then the after-restore hooks, as a restored copy does; then times
the first submission through the app, and after it a run of warm ones. The figure is the
median first submission over the processes, divided by the median of the processes'
warm medians.

What this cannot show: a real restore also pages the snapshot's memory back in, and
opens new connections (renew closed the pooled ones; moto in-process has none), so on
AWS the first request pays a TLS handshake per service that no figure here includes.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from bench import common

TARGET = 1.3


def run_hooks(registry: list[Any]) -> int:
    """Call each registered hook as the runtime does: (function, args, kwargs) entries."""
    for entry in registry:
        function, args, kwargs = entry if isinstance(entry, tuple) else (entry, (), {})
        function(*args, **kwargs)
    return len(registry)


def child(warm_runs: int) -> None:
    with common.in_process_aws():
        event = common.api_event(common.report_body())
        # AWS has no first call; moto has (its parsers, its regular expressions): one
        # submission's calls through clients of another session take that cost first.
        payload, contact = common.floor_payload(), common.floor_contact()
        common.floor_submission(common.floor_clients(), 0, payload, contact)
        in_moto = _moto_clock()
        import snapshot_restore_py as runtime

        from app import app

        began = time.perf_counter()
        before = run_hooks(runtime._before_snapshot_registry)
        prepared = time.perf_counter() - began
        after = run_hooks(runtime._after_restore_registry)
        if not (before and after):
            raise RuntimeError("app.py registered no SnapStart hooks")

        def submit() -> tuple[float, float]:
            moto_before = in_moto[0]
            seconds = common.timed(lambda: common.submit_through_app(app, event))
            return seconds, in_moto[0] - moto_before

        first, first_moto = submit()
        warm = [submit() for _ in range(warm_runs)]
    print(
        json.dumps(
            {
                "first": first,
                "first_outside_moto": first - first_moto,
                "warm": statistics.median(seconds for seconds, _ in warm),
                "warm_outside_moto": statistics.median(seconds - moto for seconds, moto in warm),
                "prepare": prepared,
            }
        )
    )


def _moto_clock() -> list[float]:
    """Seconds spent answering inside moto from now on (a one-item list, kept current)."""
    from moto.core.botocore_stubber import BotocoreStubber

    spent = [0.0]
    original = BotocoreStubber.__call__

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    BotocoreStubber.__call__ = timed  # type: ignore[method-assign]
    return spent


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0],
        child={"action": "store_true"},
        runs={"type": int},
        warm_runs={"type": int},
    )
    warm_runs = args.warm_runs or (3 if args.smoke else 50)
    if args.child:
        child(warm_runs)
        return
    runs = args.runs or (1 if args.smoke else 7)
    from bench.cold_start import precompile

    precompile()
    samples = []
    for _ in range(runs):
        answer = subprocess.run(
            [sys.executable, "-m", "bench.restore", "--child", "--warm-runs", str(warm_runs)],
            cwd=common.PROJECT_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        samples.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    ms = {name: statistics.median(sample[name] for sample in samples) * 1000 for name in samples[0]}
    first_ms, warm_ms = ms["first"], ms["warm"]
    outside = f"{ms['first_outside_moto']:.2f} / {ms['warm_outside_moto']:.2f} ms"
    ratio = first_ms / warm_ms
    common.figure(
        "restore_submission",
        ratio,
        "x",
        f"<= {TARGET}x",
        common.verdict(ratio, at_most=TARGET),
        f"first submission after the hooks {first_ms:.2f} ms / warm {warm_ms:.2f} ms (median "
        f"of {warm_runs} after it, same process), outside moto (the app's and botocore's "
        f"own) {outside}; median of {runs} fresh processes, moto warmed by the floor's calls "
        f"first; the before-snapshot hooks took {ms['prepare']:.0f} ms; new connections not "
        "counted (in-process moto has none)",
    )


if __name__ == "__main__":
    main()
