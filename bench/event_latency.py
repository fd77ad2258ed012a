"""Event latency (informational): from a submission's 201 to the team's notification,
through `vdp serve`.

Starts `vdp serve` on free loopback ports (as bench.throughput does) and subscribes a
queue of its own to the events topic (serve's printer consumes the team's queue, so
this one reads a copy of every notification, delivered raw). Then, one at a time, it
submits a report over HTTP and long-polls that queue until the report.received
notification with the report's id arrives: the figure is the median time from reading
the 201 to receiving it. On the way: the row's stream record, the local outbox polling
the stream (every vdp.local.outbox.POLL_INTERVAL seconds when idle), the publisher
(app.publish_events), SNS and SQS on moto. A random pause of up to one poll interval
before each submission spreads them over the poll cycle, as independent reporters are.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import time
import urllib.request
from typing import Any

from bench import common
from bench.throughput import PORTS, free_port, start_serve

QUEUE = f"vdp-bench-latency-{os.getpid()}"


def submit(api: str, body: bytes) -> tuple[str, float]:
    """The new report's id, and the moment its 201 was read."""
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{api}/reports", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        accepted = json.loads(answer.read())
        if answer.status != 201:
            raise RuntimeError(f"submission answered {answer.status}")
    return str(accepted["report_id"]), time.perf_counter()


def listen(endpoint: str) -> tuple[Any, str]:
    """An SQS client and a new queue subscribed (raw delivery) to the events topic."""
    import boto3

    session = boto3.session.Session(region_name=common.REGION)  # the fake keys of LOCAL_ENV
    sqs = session.client("sqs", endpoint_url=endpoint)
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    session.client("sns", endpoint_url=endpoint).subscribe(
        TopicArn=common.LOCAL_ENV["VDP_TOPIC_ARN"],
        Protocol="sqs",
        Endpoint=arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    return sqs, url


def arrival(sqs: Any, url: str, report_id: str, seconds: float = 30) -> float:
    """The moment report.received for `report_id` was received from the queue."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MaxNumberOfMessages=10)
        received = time.perf_counter()
        found = False
        for message in answer.get("Messages", []):
            event = json.loads(message["Body"])
            found |= (event.get("event"), event.get("report_id")) == ("report.received", report_id)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if found:
            return received
    raise RuntimeError(f"no report.received for {report_id} within {seconds:.0f} s")


def main() -> None:
    args = common.arguments(__doc__.splitlines()[0], reports={"type": int})
    reports = args.reports or (3 if args.smoke else 20)
    ports = {flag: free_port() for flag in PORTS}
    from vdp.local.outbox import POLL_INTERVAL

    process, api = start_serve(ports)
    body = common.report_body().encode()
    latencies: list[float] = []
    try:
        sqs, url = listen(f"http://127.0.0.1:{ports['--aws-port']}")
        report_id, answered = submit(api, body)  # warm-up: the first request loads the app
        arrival(sqs, url, report_id)
        for _ in range(reports):
            time.sleep(random.uniform(0, POLL_INTERVAL))  # noqa: S311 - not security
            report_id, answered = submit(api, body)
            latencies.append(arrival(sqs, url, report_id) - answered)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    median = statistics.median(latencies) * 1000
    common.figure(
        "event_latency",
        median,
        "ms",
        "none set (informational)",
        f"no ratio (no target); fastest {min(latencies) * 1000:.0f} ms, slowest "
        f"{max(latencies) * 1000:.0f} ms; the outbox polls an idle stream every "
        f"{POLL_INTERVAL:g} s, so about {POLL_INTERVAL * 500:.0f} ms of it is the wait, on average",
        f"median of {reports} reports, one at a time, from reading the 201 to receiving "
        "report.received in a queue subscribed to the topic; `vdp serve` (chalice local + "
        "moto server, loopback)",
    )


if __name__ == "__main__":
    main()
