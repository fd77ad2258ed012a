"""The local stand-in for Lambda's stream trigger: poll the table's stream and hand each
batch to the app's own publisher function, as AWS does (a failed record is read again)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from chalicelib import bootstrap
from chalicelib.adapters.messages.streams import StreamReader
from chalicelib.config import Settings

POLL_INTERVAL = 0.25  # seconds between reads of an idle stream
RETRY_AFTER = 1.0  # seconds before a batch that failed is handed over again
MAX_ATTEMPTS = 10  # then the record is logged and passed, as the template's DLQ parks it
log = logging.getLogger(__name__)
# Per shard, where to read next: (sequence number, whether to start just after it).
Position = dict[str, tuple[str | None, bool]]


def run(settings: Settings, publisher: Any, stop: threading.Event, position: Position) -> None:
    """The table's stream, polled from `position` and handed to the publisher until the
    stack stops."""
    while not stop.is_set():
        try:
            pump(settings, publisher, stop, position=position)
        except Exception:  # noqa: BLE001 - moto is stopping, or answered badly: start over
            stop.wait(1.0)


def pump(
    settings: Settings,
    handler: Callable[[dict[str, Any], Any], Any],
    stop: threading.Event,
    interval: float = POLL_INTERVAL,
    position: Position | None = None,
) -> None:
    """Until `stop`: read each shard from `position` (else from its oldest record) and call
    `handler` with a Lambda-shaped event. A batch item failure, or a failed read, is retried
    from the first record not yet handled, so every record is handed over until it
    succeeds. `position` follows along, as Lambda keeps a stream's checkpoint."""
    reader = StreamReader(
        bootstrap.client(settings, "dynamodbstreams"),
        bootstrap.client(settings, "dynamodb"),
        settings.table,
    )
    arn, shards = reader.shards()
    iterators: dict[str, str | None] = dict.fromkeys(shards)
    resume = position if position is not None else {}
    for shard in shards:
        resume.setdefault(shard, (None, False))
    attempts: dict[str, int] = {}  # failed sequence number -> tries so far
    while not stop.is_set():
        busy = False
        for shard in shards:
            try:
                iterator = iterators[shard] or reader.iterator(arn, shard, *resume[shard])
                records, iterators[shard] = reader.read(iterator)
                if records:
                    busy = True
                    failed = _failed_sequence(handler({"Records": records}, None))
                    last = str(records[-1]["dynamodb"]["SequenceNumber"])
                    resume[shard] = (failed, False) if failed else (last, True)
                    if failed and _gave_up(attempts, failed):
                        resume[shard] = (failed, True)  # parked: go on after it
                    if failed:
                        iterators[shard] = None  # read again from the failed record
                        stop.wait(RETRY_AFTER)
            except Exception:  # noqa: BLE001 - moto restarting or stopping: read again later
                log.warning("stream read failed; retrying", exc_info=True)
                iterators[shard] = None
                stop.wait(RETRY_AFTER)
        if not busy:
            stop.wait(interval)


def _gave_up(attempts: dict[str, int], sequence: str) -> bool:
    attempts[sequence] = attempts.get(sequence, 0) + 1
    if attempts[sequence] < MAX_ATTEMPTS:
        return False
    log.error("stream record parked after %d tries", MAX_ATTEMPTS, extra={"sequence": sequence})
    return True


def _failed_sequence(answer: Any) -> str | None:
    failures = (answer or {}).get("batchItemFailures") or []
    return str(failures[0]["itemIdentifier"]) if failures else None
