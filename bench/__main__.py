"""`python -m bench` (`make bench`): every benchmark, one figure per line.

Each benchmark runs in its own process; the cost model gets the warm handler times
(the API function's and the publisher's) just measured. Pass --smoke for a few
iterations of each (no timing value).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

ORDER = (
    "package_size", "attachments", "warm", "receipt_oracle", "before_outbox", "restore", "cost",
    "cold_start",
    "cold_breakdown", "throughput", "event_latency", "browser_encrypt",
)  # fmt: skip


def run(name: str, *extra: str) -> None:
    answer = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *extra],
        cwd=common.PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    sys.stdout.write(answer.stdout)
    if answer.returncode != 0:
        sys.stdout.write(f"[bench] {name} failed:\n{answer.stderr[-2000:]}\n")
    sys.stdout.flush()


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    smoke = ["--smoke"] if args.smoke else []
    start = time.monotonic()
    print(f"vdp benchmarks ({'smoke' if smoke else 'full'}), python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="vdp-bench-") as tmp:
        times = str(Path(tmp) / "warm-times.json")  # warm writes them, cost reads them
        for name in ORDER:
            extra = list(smoke)
            if name in ("warm", "cost"):
                extra += ["--times", times]
            if name == "throughput" and smoke:
                extra.append("--free-ports")
            run(name, *extra)
    print(f"done in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
