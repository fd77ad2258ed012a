"""Receipt checks that fail take the same time whatever the id: no existence oracle.

One process, in-process moto. The app is handed API Gateway events for
GET /reports/{id} with a receipt that opens nothing, in three cases: the id of a report
that exists, an id that does not, and a malformed id. The three run in turn (300 rounds
after a warm-up); the figure is the largest gap between their medians, which must stay
within 1 ms. The failure limit per source is out of reach here (bench_policy), so every
check runs to its 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import common
from bench.warm import alternate

TARGET_MS = 1.0


def status_event(report_id: str, receipt: str) -> dict[str, Any]:
    """API Gateway's event for GET /reports/{id} with the receipt as a bearer token."""
    event = common.api_event("")
    headers = {**event["headers"], "Authorization": f"Bearer {receipt}"}
    context = {**event["requestContext"], "resourcePath": "/reports/{report_id}",
               "httpMethod": "GET", "path": f"/api/reports/{report_id}"}  # fmt: skip
    return {
        **event, "resource": "/reports/{report_id}", "path": f"/reports/{report_id}",
        "httpMethod": "GET", "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "pathParameters": {"report_id": report_id}, "requestContext": context, "body": None,
    }  # fmt: skip


def failed_check(app: Any, event: dict[str, Any]) -> Callable[[], object]:
    def check() -> object:
        answer = app(event, common.LambdaContext())
        if answer["statusCode"] != 404:
            raise RuntimeError(f"expected 404, got {answer['statusCode']}")
        return answer

    return check


def measure(rounds: int, warmup: int) -> dict[str, float]:
    from app import app

    accepted = common.submit_through_app(app, common.api_event(common.report_body()))
    cases = {
        "wrong receipt": status_event(accepted["report_id"], "a-wrong-receipt-" + "x" * 16),
        "unknown id": status_event("VDP-0000-0000", accepted["receipt"]),
        "malformed id": status_event("not-a-report-id", accepted["receipt"]),
    }
    return alternate({name: failed_check(app, e) for name, e in cases.items()}, rounds, warmup)


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0])
    rounds, warmup = (5, 2) if args.smoke else (300, 30)
    with common.in_process_aws():
        ms = measure(rounds, warmup)
    gap = max(ms.values()) - min(ms.values())
    common.figure(
        "receipt_oracle_gap",
        gap,
        "ms",
        f"<= {TARGET_MS} ms",
        common.verdict(gap, at_most=TARGET_MS),
        "; ".join(f"{name} {value:.2f} ms" for name, value in ms.items())
        + f"; medians of {rounds} rounds, the three cases in turn, in-process moto",
    )


if __name__ == "__main__":
    main()
