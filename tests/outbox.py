"""The table's stream as Lambda's event source mapping reads it, for tests.

On AWS the stream triggers the publisher function (app.publish_events) with batches of
records and hands a batch's first reported failure over again, with the records after it.
`TableStream` does the same on demand: each `pump()` reads every record written since the
last pump and hands it over; nothing is published until a test pumps. It works against
in-process moto (the `outbox` fixture in tests/conftest.py) and against a moto server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any], Any], Any]
TABLE = "vdp-local"
BATCH_SIZE = 100  # as the function's event source mapping (app.py)


class TableStream:
    def __init__(self, dynamodb: Any, streams: Any, handler: Handler, table: str = TABLE) -> None:
        self._dynamodb, self._streams, self._handler = dynamodb, streams, handler
        self._table = table
        # Per shard: where the next read starts (absent: the oldest record kept).
        self._positions: dict[str, dict[str, str]] = {}
        self.batches = 0  # batches handed over, retries included

    def pump(self) -> list[str]:
        """Hand every record written since the last pump to the publisher, in batches.
        A batch with a reported failure stops its shard; the next pump starts again at the
        failed record. Returns the sequence numbers reported failed (empty: all delivered)."""
        failed: list[str] = []
        arn = self.arn()
        for shard in self._shards(arn):
            while records := self._read(arn, shard):
                self.batches += 1
                answer = self._handler({"Records": records}, None) or {}
                reported = [str(f["itemIdentifier"]) for f in answer.get("batchItemFailures", [])]
                if reported:
                    first = min(reported, key=int)  # Lambda resumes at the lowest one
                    self._positions[shard] = _at(first)
                    failed.append(first)
                    break
                self._positions[shard] = _after(records[-1])
        return failed

    def records(self) -> list[dict[str, Any]]:
        """The records written since the last pump or read, as Lambda hands them, without
        handing them over (the test does); the next pump or read starts after them."""
        found: list[dict[str, Any]] = []
        arn = self.arn()
        for shard in self._shards(arn):
            while records := self._read(arn, shard):
                found += records
                self._positions[shard] = _after(records[-1])
        return found

    def arn(self) -> str:
        return str(self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"])

    def _shards(self, arn: str) -> list[str]:
        described = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]
        return [shard["ShardId"] for shard in described["Shards"]]

    def _read(self, arn: str, shard: str) -> list[dict[str, Any]]:
        position = self._positions.get(shard, {"ShardIteratorType": "TRIM_HORIZON"})
        iterator = self._streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **position)
        answer = self._streams.get_records(
            ShardIterator=iterator["ShardIterator"], Limit=BATCH_SIZE
        )
        return [_as_lambda_hands_it(record, arn) for record in answer.get("Records", [])]


def _at(sequence: str) -> dict[str, str]:
    return {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": sequence}


def _after(record: dict[str, Any]) -> dict[str, str]:
    sequence = str(record["dynamodb"]["SequenceNumber"])
    return {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": sequence}


def _as_lambda_hands_it(record: dict[str, Any], arn: str) -> dict[str, Any]:
    """A GetRecords record in the shape of Lambda's event: the stream's ARN on each record
    and the creation time in epoch seconds (boto3 parses it into a datetime)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if created is not None and hasattr(created, "timestamp"):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": change, "eventSourceARN": arn}
