"""Cost model: dollars per million reports, from the measured warm handler time.

Prices are us-east-1 list prices as the author knew them (see PRICES_AS_OF); this
script has no web access and does not fetch prices. Free tiers are ignored.
"""

from __future__ import annotations

import math

from bench import common

PRICES_AS_OF = "2024-12 (AWS list prices as known to the author; not re-checked online)"
MEMORY_GB = 0.5  # lambda_memory_size 512 in .chalice/config.json
PER_MILLION = {  # dollars per million of each unit, us-east-1
    "api_gateway_rest_requests": 3.50,  # first 333M requests a month
    "lambda_requests": 0.20,
    "kms_requests": 3.00,  # $0.03 per 10,000
    "s3_put_requests": 5.00,  # S3 Standard, $0.005 per 1,000
    "dynamodb_write_request_units": 0.625,  # on-demand, after the Nov 2024 price cut
    "sns_publish_requests": 0.50,  # standard topic, per 64 KB chunk
}
LAMBDA_GB_SECOND = 0.0000166667  # x86_64
KMS_KEY_MONTH = 1.00  # one customer managed key, stated separately
# DynamoDB writes per report: conditional PutItem of the row (< 1 KB: 1 WRU), its copy
# in the status index (projection ALL: 1 WRU), UpdateItem `notified` (1) and the index (1),
# and the hourly rate-limit window's conditional UpdateItem (1; an item of a few KB late in
# a busy hour costs a WRU per KB, so 1 is the quiet-hour figure).
WRITES_PER_REPORT = 5


def dollars_per_million(billed_ms: int, parts: int = 1) -> dict[str, float]:
    """Each line item for one million reports; `parts` = report + attachments."""
    lambda_duration = billed_ms / 1000 * MEMORY_GB * LAMBDA_GB_SECOND * 1e6
    return {
        "API Gateway": PER_MILLION["api_gateway_rest_requests"],
        "Lambda requests": PER_MILLION["lambda_requests"],
        "Lambda duration": lambda_duration,
        "KMS GenerateDataKey": parts * PER_MILLION["kms_requests"],
        "S3 PUT": parts * PER_MILLION["s3_put_requests"],
        "DynamoDB writes": WRITES_PER_REPORT * PER_MILLION["dynamodb_write_request_units"],
        "SNS publish": PER_MILLION["sns_publish_requests"],
    }


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], warm_ms={"type": float})
    warm_ms = args.warm_ms
    if warm_ms is None:
        from bench.warm import measure

        with common.in_process_aws():
            warm_ms, *_ = measure(3 if args.smoke else 50, warmup=2 if args.smoke else 10)
    billed_ms = math.ceil(warm_ms)  # Lambda bills duration in 1 ms steps
    items = dollars_per_million(billed_ms)
    total = sum(items.values())
    per_10ms = 10 / 1000 * MEMORY_GB * LAMBDA_GB_SECOND * 1e6
    common.figure(
        "cost_per_million_reports",
        total,
        "USD",
        "none set (informational)",
        f"no ratio (no target); Lambda duration is {items['Lambda duration'] / total:.1%} of it",
        f"billed {billed_ms} ms at 512 MB (warm handler {warm_ms:.2f} ms on moto); "
        f"plus ${KMS_KEY_MONTH:.2f}/month for the KMS key; prices as of {PRICES_AS_OF}",
    )
    print(
        "        formula: 3.50 APIGW + 0.20 Lambda req + billed_ms/1000 x 0.5 GB x 16.6667 "
        f"+ parts x (3.00 KMS + 5.00 S3 PUT) + {WRITES_PER_REPORT} WRU x 0.625 + 0.50 SNS "
        "(USD per million reports, parts = 1 + attachments)"
    )
    print("        " + "; ".join(f"{name} ${value:.3f}" for name, value in items.items()))
    print(
        f"        moto has no network: each 10 ms of real AWS round trips adds ${per_10ms:.3f}; "
        "each attachment adds $8.00 (KMS + S3 PUT); storage, transfer, SNS deliveries excluded"
    )


if __name__ == "__main__":
    main()
