"""Cost model: dollars per million reports, from the measured warm handler times.

Two functions run per report. The API function (the request path): API Gateway, its
Lambda request and duration, a GenerateDataKey and a PutObject per part (the report,
the reporter's contact when they leave one, each attachment), and DynamoDB writes; it
publishes nothing. The publisher (stream-triggered, app.publish_events): its Lambda
requests and duration; one SNS Publish for the report.received notification; the
contact part's GetObject (an anonymous report's finds none); and, for a reporter who
left an address and agreed (the default), their mail: Decrypt of the contact part, a
consistent GetItem (the address not suppressed), a claim PutItem, and SES SendEmail.
The stream itself is free for a Lambda trigger (GetRecords), and the received
notification reads no report: the inserted row's image carries what it announces.

Invocations of the publisher: the mapping batches up to 100 records and filters them
(STREAM_FILTER, as infra/resources.json's FilterCriteria): only INSERTs of `REPORT#`
items reach it, i.e. the report row and, later, each of its events. Everything else
(FILTERED_OUT: the rate window's write, idempotency records, the mail's claim and its
TTL expiry, retention's tombstone and deletions) is dropped by the mapping before any
invocation, so it costs no Lambda request or duration (and reading the stream is free).
The model takes the worst case, low traffic: the row's record alone in its batch, one
invocation per report, billed at the measured time (at least 1 ms). Under load, batches
of up to 100 records bring that towards 0.01 invocations per report.

SnapStart (the API function) is billed per published version and per restore, not per
report, so it is stated beside the total, as an assumption: one active published version
cached all month at 512 MB, and the restore charge per new execution environment.

The figure is for the sample: a reporter who left an address and agreed, so every
report is mailed (the dearest case); an anonymous report's total is stated below it.
Prices are us-east-1 list prices as the author knew them (see PRICES_AS_OF); this
script has no web access and does not fetch prices. Free tiers are ignored.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from bench import common

PRICES_AS_OF = "2024-12 (AWS list prices as known to the author; not re-checked online)"
MEMORY_GB = 0.5  # lambda_memory_size 512 in .chalice/config.json (both functions)
PER_MILLION = {  # dollars per million of each unit, us-east-1
    "api_gateway_rest_requests": 3.50,  # first 333M requests a month
    "lambda_requests": 0.20,
    "kms_requests": 3.00,  # $0.03 per 10,000 (GenerateDataKey, Decrypt)
    "s3_put_requests": 5.00,  # S3 Standard, $0.005 per 1,000
    "s3_get_requests": 0.40,  # S3 Standard, $0.0004 per 1,000
    "dynamodb_write_request_units": 0.625,  # on-demand, after the Nov 2024 price cut
    "dynamodb_read_request_units": 0.125,  # on-demand, after the Nov 2024 price cut
    "sns_publish_requests": 0.50,  # standard topic, per 64 KB chunk
    "ses_outbound_emails": 100.00,  # $0.10 per 1,000
    "dynamodb_streams_get_records": 0.0,  # free when a Lambda trigger reads the stream
}
LAMBDA_GB_SECOND = 0.0000166667  # x86_64
KMS_KEY_MONTH = 1.00  # one customer managed key, stated separately
# SnapStart (the API function): per published version and per restore, not per report.
SNAPSTART_CACHE_GB_SECOND = 0.0000015046
SNAPSTART_RESTORE_GB = 0.0001397998
# DynamoDB writes on the request path: the conditional PutItem of the row (< 1 KB: 1 WRU),
# its copy in the status index (projection ALL: 1 WRU), and the hourly rate-limit
# window's conditional UpdateItem (1; an item of a few KB late in a busy hour costs a WRU
# per KB, so 1 is the quiet-hour figure).
WRITES_PER_REPORT = 3
# The publisher's event source mapping lets through only these stream records (its
# FilterCriteria in infra/resources.json); a record it drops invokes nothing.
STREAM_FILTER = {
    "eventName": ["INSERT"],
    "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "REPORT#"}]}}},
}
FILTERED_OUT = (
    "the rate window's write",
    "idempotency records",
    "the mail's claim and its expiry",
    "retention's tombstone and deletions",
)
SECONDS_PER_MONTH = 30 * 24 * 3600
TIMES = ("api_ms", "api_anonymous_ms", "publisher_ms", "publisher_anonymous_ms")


def lambda_ms_cost(billed_ms: int) -> float:
    """Dollars per million invocations billed `billed_ms` each, at MEMORY_GB."""
    return billed_ms / 1000 * MEMORY_GB * LAMBDA_GB_SECOND * 1e6


def billed(ms: float) -> int:
    """Lambda bills duration in 1 ms steps, at least 1 ms per invocation."""
    return max(1, math.ceil(ms))


def dollars_per_million(times: dict[str, float], *, mailed: bool = True) -> dict[str, float]:
    """Each line item for one million reports of the sample (`mailed`: with the reporter's
    address and consent; else anonymous), without attachments."""
    price = PER_MILLION
    api = times["api_ms" if mailed else "api_anonymous_ms"]
    publisher = times["publisher_ms" if mailed else "publisher_anonymous_ms"]
    parts = 2 if mailed else 1  # the report part, and the contact part
    items = {
        "API Gateway": price["api_gateway_rest_requests"],
        "Lambda requests (API)": price["lambda_requests"],
        "Lambda duration (API)": lambda_ms_cost(billed(api)),
        "KMS GenerateDataKey": parts * price["kms_requests"],
        "S3 PUT": parts * price["s3_put_requests"],
        "DynamoDB writes": WRITES_PER_REPORT * price["dynamodb_write_request_units"],
        "Lambda requests (publisher)": price["lambda_requests"],  # the row's record only
        "Lambda duration (publisher)": lambda_ms_cost(billed(publisher)),
        "DynamoDB Streams reads": price["dynamodb_streams_get_records"],
        "SNS publish": price["sns_publish_requests"],
        "S3 GET (contact)": price["s3_get_requests"],
    }
    if mailed:
        items |= {
            "KMS Decrypt (contact)": price["kms_requests"],
            "DynamoDB mail reads and claim": price["dynamodb_read_request_units"]
            + price["dynamodb_write_request_units"],
            "SES mail": price["ses_outbound_emails"],
        }
    return items


def per_event(publisher_ms: float) -> tuple[float, float]:
    """Dollars per million later events, without and with a mail to the reporter (worst
    case batching). Each: an invocation, its duration (as a new report's record, an upper
    bound without mail), a consistent GetItem of the report (1 RRU), the Publish. A mail
    adds the contact part's GetObject and Decrypt, the suppression GetItem, the claim
    PutItem (whose stream records the mapping's filter drops), and SES."""
    price = PER_MILLION
    notified = (
        price["lambda_requests"]
        + lambda_ms_cost(billed(publisher_ms))
        + price["dynamodb_read_request_units"]
        + price["sns_publish_requests"]
    )
    mail = (
        price["s3_get_requests"]
        + price["kms_requests"]
        + price["dynamodb_read_request_units"]
        + price["dynamodb_write_request_units"]
        + price["ses_outbound_emails"]
    )
    return notified, notified + mail


def template_filters() -> list[object]:
    """The publisher's stream filters as infra/resources.json sets them."""
    template = json.loads((common.PROJECT_DIR / "infra" / "resources.json").read_text())
    sources = template["Resources"]["PublishEvents"]["Properties"]["Events"].values()
    return [
        json.loads(pattern["Pattern"])
        for source in sources
        for pattern in source["Properties"].get("FilterCriteria", {}).get("Filters", [])
    ]


def measured(smoke: bool) -> dict[str, float]:
    """The warm handler times bench.warm measures, measured here (a short run)."""
    from bench.warm import measure, measure_publisher

    runs, warmup = (3, 2) if smoke else (50, 10)
    with common.in_process_aws():
        api = measure(runs, warmup)
        publisher = measure_publisher(runs, warmup)
    return {
        "api_ms": api["app_contact"],
        "api_anonymous_ms": api["app"],
        "publisher_ms": publisher["publisher"],
        "publisher_anonymous_ms": publisher["anonymous"],
    }


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], times={"type": Path})
    if template_filters() != [STREAM_FILTER]:
        sys.exit(f"the template's stream filters {template_filters()} are not the model's")
    found = json.loads(args.times.read_text()) if args.times and args.times.exists() else {}
    times = found if all(name in found for name in TIMES) else measured(args.smoke)
    items = dollars_per_million(times)
    total = sum(items.values())
    anonymous = sum(dollars_per_million(times, mailed=False).values())
    durations = items["Lambda duration (API)"] + items["Lambda duration (publisher)"]
    common.figure(
        "cost_per_million_reports",
        total,
        "USD",
        "none set (informational)",
        f"no ratio (no target); SES is {items['SES mail'] / total:.0%} of it, Lambda duration "
        f"{durations / total:.1%}",
        f"each reporter left an address and agreed to mail (the sample; anonymous reports: "
        f"${anonymous:.2f}); API function billed {billed(times['api_ms'])} ms (warm handler "
        f"{times['api_ms']:.2f} ms on moto), publisher {billed(times['publisher_ms'])} ms for "
        f"the row ({times['publisher_ms']:.2f} ms), its only record the stream filter lets "
        f"through ({', '.join(FILTERED_OUT)} invoke nothing), both at 512 MB; plus "
        f"${KMS_KEY_MONTH:.2f}/month for the KMS key; prices as of {PRICES_AS_OF}",
    )
    print(
        "        formula: 3.50 APIGW + 0.20 Lambda req + api_ms/1000 x 0.5 GB x 16.6667 "
        f"+ parts x (3.00 KMS + 5.00 S3 PUT) + {WRITES_PER_REPORT} WRU x 0.625 "
        "+ 0.20 publisher req + publisher_ms/1000 x 0.5 GB x 16.6667 "
        "+ 0 stream reads + 0.50 SNS + 0.40 S3 GET + mailed x (3.00 KMS Decrypt "
        "+ 0.125 RRU + 0.625 WRU + 100.00 SES) (USD per million reports; parts = 1 + contact "
        "+ attachments; one publisher invocation: the filter passes only the row's INSERT; "
        "mailed = 1 for the sample, 0 if anonymous)"
    )
    print("        " + "; ".join(f"{name} ${value:.3f}" for name, value in items.items()))
    notified, mailed = per_event(times["publisher_ms"])
    print(
        "        assumptions: the publisher gets each stream record alone (low traffic, the "
        "worst case; batches of up to 100 under load); each later event adds, besides its "
        f"own write, ${notified:.3f} per million as a notification only (a note, an "
        f"assignment), ${mailed:.3f} when the reporter is mailed too (acknowledged, "
        "answered, a public status, disclosed)"
    )
    print(
        f"        moto has no network: each 10 ms of real AWS round trips adds "
        f"${lambda_ms_cost(10):.3f} per function; each attachment adds $8.00 (KMS + S3 PUT); "
        "storage, transfer, SNS deliveries, SES data and inbound mail excluded"
    )
    cache = MEMORY_GB * SECONDS_PER_MONTH * SNAPSTART_CACHE_GB_SECOND
    restore = MEMORY_GB * SNAPSTART_RESTORE_GB
    print(
        f"        SnapStart (assumed, beside the total: billed per version and restore, not per "
        f"report): the cached snapshot ${cache:.2f}/month per active published version "
        f"(0.5 GB x 30 days x ${SNAPSTART_CACHE_GB_SECOND:.10f} per GB-s; one version assumed, "
        f"each deploy publishes a new one) + ${restore:.6f} per restore (0.5 GB x "
        f"${SNAPSTART_RESTORE_GB} per GB), ${restore * 1e6:.2f} per million restores; a "
        "restore is a new execution environment (scale-out, recycling), not a request"
    )


if __name__ == "__main__":
    main()
