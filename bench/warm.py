"""Warm submission: handler time per report against the floor of its AWS calls.

One process, in-process moto. The app side hands the Chalice app an API Gateway
event for POST /reports; the floor makes the same AWS calls directly with its own
clients (bench.common.floor_submission): the six that the contract and the abuse
limits require. A second figure compares with the four calls of the performance target
(no rate-limit window, no `notified` flag), against the same target. All are
warmed up first, then run alternately; each figure is a ratio of medians.
"""

from __future__ import annotations

from typing import Any

from bench import common

TARGET = 1.2


def measure(submissions: int, warmup: int = 20) -> tuple[float, float, float]:
    """Median milliseconds (app, floor, four-call floor) over `submissions` alternated
    runs; needs moto."""
    from app import app

    event = common.api_event(common.report_body())
    clients = common.floor_clients()
    payload = common.floor_payload()
    numbers = iter(range(10**9))

    def floor() -> Any:
        return common.floor_submission(clients, next(numbers), payload)

    def four_calls() -> Any:
        return common.floor_submission(clients, next(numbers), payload, design=False)

    def ours() -> Any:
        return common.submit_through_app(app, event)

    for _ in range(warmup):
        ours(), floor(), four_calls()
    app_s: list[float] = []
    floor_s: list[float] = []
    four_s: list[float] = []
    for _ in range(submissions):
        app_s.append(common.timed(ours))
        floor_s.append(common.timed(floor))
        four_s.append(common.timed(four_calls))
    return common.median_ms(app_s), common.median_ms(floor_s), common.median_ms(four_s)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], submissions={"type": int})
    submissions = args.submissions or (3 if args.smoke else 200)
    with common.in_process_aws():
        app_ms, floor_ms, four_ms = measure(submissions, warmup=2 if args.smoke else 20)
    ratio = app_ms / floor_ms
    common.figure(
        "warm_submission",
        ratio,
        "x",
        f"<= {TARGET}x",
        common.verdict(ratio, at_most=TARGET),
        f"app {app_ms:.2f} ms / floor {floor_ms:.2f} ms (the same 6 AWS calls); median of "
        f"{submissions} each, alternated, in-process moto",
    )
    four = app_ms / four_ms
    common.figure(
        "warm_submission_vs_four_calls",
        four,
        "x",
        f"<= {TARGET}x (the four-call floor)",
        common.verdict(four, at_most=TARGET),
        f"app {app_ms:.2f} ms / {four_ms:.2f} ms for GenerateDataKey, PutObject, PutItem, "
        "Publish only: without the rate-limit window and the `notified` flag a submission "
        "must also write",
    )


if __name__ == "__main__":
    main()
