"""The team's notifications under `vdp serve`: read from the team's queue and printed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from chalicelib import bootstrap
from chalicelib.config import Settings


def watch_notifications(
    settings: Settings, queue_url: str, stop: threading.Event, echo: Callable[[str], None]
) -> None:
    """Print each SNS notification as the team's queue receives it."""
    sqs = bootstrap.client(settings, "sqs")
    while not stop.is_set():
        try:
            answer = sqs.receive_message(
                QueueUrl=queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10
            )
        except Exception:  # noqa: BLE001 - moto is stopping; the loop ends with it
            return
        for message in answer.get("Messages", []):
            echo(describe_notification(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def describe_notification(envelope: str) -> str:
    sns = json.loads(envelope)
    event = json.loads(sns["Message"])
    details = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "report_id"))
    return f"[notification] {event.get('event')} {event.get('report_id')} {details}"
