"""DynamoDB Streams: the table's changes, as Lambda hands them over or as read locally."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from chalicelib.adapters.failures import translated
from chalicelib.domain.report.records import TableChange

_deserializer = TypeDeserializer()


def table_changes(records: Iterable[Mapping[str, Any]]) -> list[TableChange]:
    """Stream records (Lambda's event, or GetRecords) -> changes with plain item values."""
    changes = []
    for record in records:
        change = record.get("dynamodb") or {}
        image = change.get("NewImage") or {}
        changes.append(
            TableChange(
                sequence=str(change.get("SequenceNumber", "")),
                inserted=record.get("eventName") == "INSERT",
                item={name: _deserializer.deserialize(value) for name, value in image.items()},
            )
        )
    return changes


class StreamReader:
    """Reads a table's stream shard by shard (the local stack's stand-in for Lambda's
    event source mapping): records from a position, and where to go on."""

    def __init__(self, streams: Any, dynamodb: Any, table: str) -> None:
        self._streams = streams
        self._dynamodb = dynamodb
        self._table = table

    def shards(self) -> tuple[str, list[str]]:
        """The stream's ARN and its shard ids."""
        with translated("dynamodb"):
            arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
            shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        return arn, [shard["ShardId"] for shard in shards]

    def iterator(self, arn: str, shard: str, at: str | None = None, after: bool = False) -> str:
        """From the oldest record kept, or at a sequence number (a record to read again),
        or just after it (the last record handled)."""
        kind = "AFTER_SEQUENCE_NUMBER" if after else "AT_SEQUENCE_NUMBER"
        position: dict[str, str] = (
            {"ShardIteratorType": kind, "SequenceNumber": at}
            if at
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        with translated("dynamodb"):
            answer = self._streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **position)
        return str(answer["ShardIterator"])

    def read(self, iterator: str) -> tuple[list[dict[str, Any]], str]:
        """Records from this position (raw, as Lambda would hand them) and the next one."""
        with translated("dynamodb"):
            answer = self._streams.get_records(ShardIterator=iterator, Limit=100)
        return list(answer.get("Records", [])), str(answer.get("NextShardIterator") or iterator)
