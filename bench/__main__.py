"""`python -m bench` (`make bench`): every benchmark, one figure per line.

Each benchmark runs in its own process; the cost model gets the warm handler
time just measured. Pass --smoke for a few iterations of each (no timing value).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from bench import common

ORDER = (
    "package_size", "attachments", "warm", "cost", "cold_start", "cold_breakdown", "throughput",
)  # fmt: skip


def run(name: str, *extra: str) -> str:
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
    return answer.stdout


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    smoke = ["--smoke"] if args.smoke else []
    start = time.monotonic()
    print(f"vdp benchmarks ({'smoke' if smoke else 'full'}), python {sys.version.split()[0]}")
    warm_ms: str | None = None
    for name in ORDER:
        extra = list(smoke)
        if name == "cost" and warm_ms:
            extra += ["--warm-ms", warm_ms]
        if name == "throughput" and smoke:
            extra.append("--free-ports")
        output = run(name, *extra)
        if name == "warm":
            found = re.search(r"app ([0-9.]+) ms", output)
            warm_ms = found.group(1) if found else None
    print(f"done in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
