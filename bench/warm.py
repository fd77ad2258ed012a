"""Warm submission: handler time per report against the floor of its AWS calls.

One process, in-process moto. The app side hands the Chalice app an API Gateway
event for POST /reports; the floor makes the request path's AWS calls directly with
its own clients (bench.common.floor_submission). Two samples, both against the target:

- warm_submission: the sample without the reporter (anonymous): the four calls of the
  request path -- the rate-limit window, the data key and the object of the report
  part, the report row;
- warm_submission_with_contact: the sample with the reporter's name and address, which
  get a part of their own: a data key and an object more, six calls.

A third, informational figure times the stream-triggered publisher (app.publish_events)
on the batch the table's stream hands it for one new report with an address: the row's
INSERT record, which becomes the team's notification and the reporter's mail (Publish;
the contact part's GetObject and Decrypt; the suppression GetItem; the mail's claim
PutItem; SendEmail). It is compared with the same calls made directly. The cost model
bills both functions with these times (--times writes them to a file for it).
All series are warmed up first, then run alternately; each figure is a ratio of medians.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common

TARGET = 1.2
STREAM_ARN = f"arn:aws:dynamodb:{common.REGION}:123456789012:table/vdp-local/stream/bench"
RAW_MAIL = (  # about the size of the plain mail the publisher sends
    b"From: security@example.com\r\nTo: researcher@example.org\r\nSubject: "
    + b"x" * 60
    + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    + b"x" * 900
)


def alternate(series: dict[str, Callable[[], object]], runs: int, warmup: int) -> dict[str, float]:
    """Median milliseconds of each series: warmed up, then run in turn `runs` times."""
    for _ in range(warmup):
        for action in series.values():
            action()
    samples: dict[str, list[float]] = {name: [] for name in series}
    for _ in range(runs):
        for name, action in series.items():
            samples[name].append(common.timed(action))
    return {name: common.median_ms(seconds) for name, seconds in samples.items()}


def measure(submissions: int, warmup: int = 20) -> dict[str, float]:
    """Median milliseconds of app and floor, anonymous and with a contact; needs moto.
    (bench.warm.calls lists the AWS operations of each.)"""
    from app import app

    anonymous = common.api_event(common.report_body(anonymous=True))
    known = common.api_event(common.report_body())
    clients = common.floor_clients()
    payload, contact = common.floor_payload(), common.floor_contact()
    numbers = iter(range(10**9))
    series: dict[str, Callable[[], object]] = {
        "app": lambda: common.submit_through_app(app, anonymous),
        "floor": lambda: common.floor_submission(clients, next(numbers), payload),
        "app_contact": lambda: common.submit_through_app(app, known),
        "floor_contact": lambda: common.floor_submission(clients, next(numbers), payload, contact),
    }
    timings = alternate(series, submissions, warmup)
    CALLS.update({name: common.operations(action) for name, action in series.items()})
    return timings


CALLS: dict[str, list[str]] = {}  # each measured series' AWS operations, in order


def stream_event(item: dict[str, Any], sequence: int, name: str = "INSERT") -> dict[str, Any]:
    """A DynamoDB stream batch of one record (NEW_IMAGE), as Lambda hands it over."""
    record = {
        "eventID": f"bench-{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": common.REGION,
        "eventSourceARN": STREAM_ARN,
        "dynamodb": {
            "Keys": {"PK": item["PK"], "SK": item["SK"]},
            "NewImage": item,
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": len(json.dumps(item)),
            "StreamViewType": "NEW_IMAGE",
        },
    }
    return {"Records": [record]}


class Publisher:
    """The publisher's side and its floor, each on a report of its own every time (a
    mail is claimed once per event), prepared before the clock starts."""

    def __init__(self) -> None:
        import boto3

        from app import app, publish_events

        self.app, self.handler = app, publish_events
        self.clients = common.floor_clients(services=("sns", "s3", "kms", "dynamodb", "sesv2"))
        self.dynamodb = boto3.session.Session().client("dynamodb", region_name=common.REGION)
        self.numbers = iter(range(1, 10**9))
        self.table = common.LOCAL_ENV["VDP_TABLE"]
        scanned = self.dynamodb.scan(TableName=self.table)["Items"]
        self.window = next(item for item in scanned if item["PK"]["S"].startswith("RATE#"))

    def new_report(self, body: str) -> dict[str, Any]:
        """A report submitted through the app (not timed): its row, as the stream has it."""
        accepted = common.submit_through_app(self.app, common.api_event(body))
        key = {"PK": {"S": f"REPORT#{accepted['report_id']}"}, "SK": {"S": "META"}}
        item: dict[str, Any] = self.dynamodb.get_item(TableName=self.table, Key=key)["Item"]
        return item

    def ours(self, item: dict[str, Any], name: str = "INSERT") -> Callable[[], None]:
        event = stream_event(item, next(self.numbers), name)

        def run() -> None:
            answer = self.handler(event, common.LambdaContext())
            if answer["batchItemFailures"]:
                raise RuntimeError(f"the publisher failed a record: {answer}")

        return run

    def floor(self) -> Callable[[], None]:
        """The same six calls made directly, on a contact part of the floor's own."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        number = next(self.numbers)
        report_id = f"FLOOR-PUB-{number}"
        context = {"report_id": report_id, "part": "contact"}
        key = self.clients["kms"].generate_data_key(
            KeyId=common.LOCAL_ENV["VDP_KMS_KEY_ID"], KeySpec="AES_256", EncryptionContext=context
        )
        nonce = bytes(12)
        sealed = nonce + AESGCM(key["Plaintext"]).encrypt(nonce, common.floor_contact(), None)
        object_key = f"reports/{report_id}/contact.enc"
        self.clients["s3"].put_object(
            Bucket=common.LOCAL_ENV["VDP_BUCKET"], Key=object_key, Body=sealed
        )
        message = {
            "event": "report.received",
            "event_id": f"{report_id}/received",
            "report_id": report_id,
            "product": "other",
            "severity": "high",
            "status": "received",
            "acknowledge_by": "2030-01-01",
        }
        attributes = {name: str(message[name]) for name in ("event", "severity", "product")}

        def run() -> None:
            self.clients["sns"].publish(
                TopicArn=common.LOCAL_ENV["VDP_TOPIC_ARN"],
                Message=json.dumps(message, separators=(",", ":")),
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in attributes.items()
                },
            )
            body = (
                self.clients["s3"]
                .get_object(Bucket=common.LOCAL_ENV["VDP_BUCKET"], Key=object_key)["Body"]
                .read()
            )
            plaintext = self.clients["kms"].decrypt(
                CiphertextBlob=key["CiphertextBlob"], EncryptionContext=context
            )["Plaintext"]
            AESGCM(plaintext).decrypt(body[:12], body[12:], None)
            self.clients["dynamodb"].get_item(
                TableName=self.table,
                Key={"PK": {"S": "SUPPRESS#" + "0" * 64}, "SK": {"S": "SUPPRESS"}},
                ConsistentRead=True,
            )
            self.clients["dynamodb"].put_item(
                TableName=self.table,
                Item={
                    "PK": {"S": f"MAIL#{report_id}/received"},
                    "SK": {"S": "MAIL"},
                    "expires_at": {"N": "2000000000"},
                },
                ConditionExpression="attribute_not_exists(PK)",
            )
            self.clients["sesv2"].send_email(
                FromEmailAddress="security@example.com",
                Destination={"ToAddresses": ["researcher@example.org"]},
                Content={"Raw": {"Data": RAW_MAIL}},
            )

        return run


def measure_publisher(batches: int, warmup: int = 10) -> dict[str, float]:
    """Median milliseconds over `batches` alternated runs of the publisher on a new
    report's record (with an address: notification and mail), the same calls made
    directly, the publisher on an anonymous report's record (notification only), and on
    the rate window's MODIFY record alone (nothing to do). Needs moto."""
    publisher = Publisher()

    def prepared() -> dict[str, Callable[[], None]]:  # so that only the calls are timed
        return {
            "publisher": publisher.ours(publisher.new_report(common.report_body())),
            "floor": publisher.floor(),
            "anonymous": publisher.ours(publisher.new_report(common.report_body(anonymous=True))),
            "window": publisher.ours(publisher.window, "MODIFY"),
        }

    samples: dict[str, list[float]] = {"publisher": [], "floor": [], "anonymous": [], "window": []}
    for number in range(warmup + batches):
        for name, run in prepared().items():
            seconds = common.timed(run)
            if number >= warmup:
                samples[name].append(seconds)
    CALLS.update({f"publisher_{name}": common.operations(run) for name, run in prepared().items()})
    return {name: common.median_ms(seconds) for name, seconds in samples.items()}


def described(app: list[str], floor: list[str]) -> str:
    """The calls both sides make, or how they differ (a floor out of step with the app)."""
    if app == floor:
        return f"the same {len(app)} AWS calls: {', '.join(app)}"
    return f"DIFFERENT calls: app {', '.join(app)}; floor {', '.join(floor)}"


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0], submissions={"type": int}, times={"type": Path}
    )
    submissions = args.submissions or (3 if args.smoke else 200)
    warmup = 2 if args.smoke else 20
    with common.in_process_aws():
        ms = measure(submissions, warmup)
        for name, app, floor, sample in (
            ("warm_submission", "app", "floor", "the anonymous sample"),
            ("warm_submission_with_contact", "app_contact", "floor_contact",
             "the sample with the reporter's name and address, which get a part of their own"),
        ):  # fmt: skip
            ratio = ms[app] / ms[floor]
            common.figure(
                name,
                ratio,
                "x",
                f"<= {TARGET}x",
                common.verdict(ratio, at_most=TARGET),
                f"app {ms[app]:.2f} ms / floor {ms[floor]:.2f} ms; {sample}; "
                f"{described(CALLS[app], CALLS[floor])}; median of {submissions} each, "
                "alternated, in-process moto",
            )
        publisher = measure_publisher(submissions, warmup)
    common.figure(
        "warm_publisher",
        publisher["publisher"],
        "ms",
        "none (informational)",
        f"no verdict: {publisher['publisher'] / publisher['floor']:.2f}x the same calls made "
        f"directly ({publisher['floor']:.2f} ms)",
        f"publisher {publisher['publisher']:.2f} ms for a new report's INSERT record "
        f"({', '.join(CALLS['publisher_publisher']) or 'no calls'}; the floor: "
        f"{', '.join(CALLS['publisher_floor'])}); for an anonymous report's "
        f"{publisher['anonymous']:.2f} ms ({', '.join(CALLS['publisher_anonymous'])}); for a "
        f"rate-window record alone {publisher['window']:.2f} ms "
        f"({', '.join(CALLS['publisher_window']) or 'no calls'}); median of {submissions} "
        "each, alternated, in-process moto",
    )
    if args.times:
        times = {
            "api_ms": ms["app_contact"],
            "api_anonymous_ms": ms["app"],
            "publisher_ms": publisher["publisher"],
            "publisher_anonymous_ms": publisher["anonymous"],
            "window_ms": publisher["window"],
        }
        args.times.write_text(json.dumps(times))


if __name__ == "__main__":
    main()
