"""Warm submission: handler time per report against the floor of its AWS calls.

One process, in-process moto. The app side hands the Chalice app an API Gateway
event for POST /reports; the floor makes the same AWS calls directly with its own
clients (bench.common.floor_submission). Both are warmed up first, then run
alternately; the figure is the ratio of the medians.
"""

from __future__ import annotations

from typing import Any

from bench import common

TARGET = 1.2


def measure(submissions: int, warmup: int = 20) -> tuple[float, float]:
    """Median milliseconds (app, floor) over `submissions` alternated runs; needs moto."""
    from app import app

    event = common.api_event(common.report_body())
    clients = common.floor_clients()
    payload = common.floor_payload()
    numbers = iter(range(10**9))

    def floor() -> Any:
        return common.floor_submission(clients, next(numbers), payload)

    def ours() -> Any:
        return common.submit_through_app(app, event)

    for _ in range(warmup):
        ours(), floor()
    app_s, floor_s = [], []
    for _ in range(submissions):
        app_s.append(common.timed(ours))
        floor_s.append(common.timed(floor))
    return common.median_ms(app_s), common.median_ms(floor_s)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], submissions={"type": int})
    submissions = args.submissions or (3 if args.smoke else 200)
    with common.in_process_aws():
        app_ms, floor_ms = measure(submissions, warmup=2 if args.smoke else 20)
    ratio = app_ms / floor_ms
    common.figure(
        "warm_submission",
        ratio,
        "x",
        f"<= {TARGET}x",
        common.verdict(ratio, at_most=TARGET),
        f"app {app_ms:.2f} ms / floor {floor_ms:.2f} ms; median of {submissions} each, "
        "alternated, in-process moto",
    )


if __name__ == "__main__":
    main()
