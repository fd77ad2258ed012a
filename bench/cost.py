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

Invocations of the publisher: the mapping batches up to 100 records and has no filter,
so every change of an item reaches it (QUIET_RECORDS): besides the report row's insert,
the rate window's write, the row's tombstone and deletion when retention purges it (its
events' deletions are theirs), and for a mailed reporter the mail's claim and its expiry
(TTL deletes are stream records too). The model takes the worst case, low traffic: every
record alone in its batch, one invocation each, billed at the measured time for its
record (at least 1 ms; the quiet ones at the time of a record with nothing to do). Under
load, batches of up to 100 records bring that towards 0.04-0.06 invocations per report.

The figure is for the sample: a reporter who left an address and agreed, so every
report is mailed (the dearest case); an anonymous report's total is stated below it.
Prices are us-east-1 list prices as the author knew them (see PRICES_AS_OF); this
script has no web access and does not fetch prices. Free tiers are ignored.
"""

from __future__ import annotations

import json
import math
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
# Stream records of a report with nothing to publish or mail, each an invocation at worst.
QUIET_RECORDS = {"the rate window's write": 1, "the row's tombstone and deletion": 2}
QUIET_MAIL_RECORDS = {"the mail's claim": 1, "the claim's expiry": 1}
TIMES = ("api_ms", "api_anonymous_ms", "publisher_ms", "publisher_anonymous_ms", "window_ms")


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
    # The publisher's records: the row (its work) and the quiet ones, one invocation each.
    quiet_records = sum(QUIET_RECORDS.values()) + mailed * sum(QUIET_MAIL_RECORDS.values())
    quiet = [times["window_ms"]] * quiet_records
    items = {
        "API Gateway": price["api_gateway_rest_requests"],
        "Lambda requests (API)": price["lambda_requests"],
        "Lambda duration (API)": lambda_ms_cost(billed(api)),
        "KMS GenerateDataKey": parts * price["kms_requests"],
        "S3 PUT": parts * price["s3_put_requests"],
        "DynamoDB writes": WRITES_PER_REPORT * price["dynamodb_write_request_units"],
        "Lambda requests (publisher)": (1 + len(quiet)) * price["lambda_requests"],
        "Lambda duration (publisher)": sum(
            lambda_ms_cost(billed(ms)) for ms in [publisher, *quiet]
        ),
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
    PutItem with the idle invocations of its record and of its expiry, and SES."""
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
        + sum(QUIET_MAIL_RECORDS.values()) * (price["lambda_requests"] + lambda_ms_cost(1))
        + price["ses_outbound_emails"]
    )
    return notified, notified + mail


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
        "window_ms": publisher["window"],
    }


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], times={"type": Path})
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
        f"the row ({times['publisher_ms']:.2f} ms) + {billed(times['window_ms'])} ms for each "
        f"record of {', '.join([*QUIET_RECORDS, *QUIET_MAIL_RECORDS])} (nothing to do, "
        f"{times['window_ms']:.2f} ms), both at 512 MB; plus ${KMS_KEY_MONTH:.2f}/month for "
        f"the KMS key; prices as of {PRICES_AS_OF}",
    )
    print(
        "        formula: 3.50 APIGW + 0.20 Lambda req + api_ms/1000 x 0.5 GB x 16.6667 "
        f"+ parts x (3.00 KMS + 5.00 S3 PUT) + {WRITES_PER_REPORT} WRU x 0.625 "
        "+ records x 0.20 publisher req + sum(billed ms per record)/1000 x 0.5 GB x 16.6667 "
        "+ 0 stream reads + 0.50 SNS + 0.40 S3 GET + mailed x (3.00 KMS Decrypt "
        "+ 0.125 RRU + 0.625 WRU + 100.00 SES) (USD per million reports; parts = 1 + contact "
        "+ attachments; records = 4 + 2 x mailed; mailed = 1 for the sample, 0 if anonymous)"
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
        "storage, transfer, SNS deliveries, SES data and inbound mail, and SnapStart "
        f"(cache ${SNAPSTART_CACHE_GB_SECOND} per GB-s of each active version, restore "
        f"${SNAPSTART_RESTORE_GB} per GB restored) excluded"
    )


if __name__ == "__main__":
    main()
