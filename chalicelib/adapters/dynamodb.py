"""DynamoDB: one table; report metadata (no content), events, housekeeping items."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from chalicelib.adapters.failures import translated
from chalicelib.models import ReportEvent, ReportRecord

STATUS_INDEX = "status-index"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class DynamoReports:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, record: ReportRecord) -> None:
        """Insert the report row; never overwrites (a taken id raises AlreadyExists)."""
        item = {"PK": f"REPORT#{record.report_id}", "SK": "META", **_plain(record)}
        with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
            self._client.put_item(
                TableName=self._table,
                Item=_to_dynamo(item),
                ConditionExpression="attribute_not_exists(PK)",
            )

    def get(self, report_id: str) -> ReportRecord | None:
        with translated("dynamodb"):
            answer = self._client.get_item(
                TableName=self._table, Key=_key(report_id, "META"), ConsistentRead=True
            )
        item = answer.get("Item")
        return ReportRecord.model_validate(_from_dynamo(item)) if item else None

    def events(self, report_id: str) -> list[ReportEvent]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=_to_dynamo(
                {":pk": f"REPORT#{report_id}", ":prefix": "EVENT#"}
            ),
        )
        return [ReportEvent.model_validate(item) for item in items]

    def add_event(self, report_id: str, event: ReportEvent) -> None:
        """Append an event item (SK=EVENT#<time>#<id>): history is never rewritten."""
        item = {
            "PK": f"REPORT#{report_id}",
            "SK": f"EVENT#{event.at.isoformat()}#{event.event_id}",
            **event.model_dump(mode="json", exclude_none=True),
        }
        with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
            self._client.put_item(
                TableName=self._table,
                Item=_to_dynamo(item),
                ConditionExpression="attribute_not_exists(SK)",
            )

    def mark_notified(self, report_id: str) -> None:
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=_key(report_id, "META"),
                UpdateExpression="SET notified = :true",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":true": {"BOOL": True}},
            )

    def by_status(self, status: str) -> Iterator[ReportRecord]:
        """Newest first, page by page through the status index."""
        items = self._query(
            IndexName=STATUS_INDEX,
            KeyConditionExpression="#status = :status",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=_to_dynamo({":status": status}),
            ScanIndexForward=False,
        )
        for item in items:
            yield ReportRecord.model_validate(item)

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        with translated("dynamodb"):
            for page in paginator.paginate(TableName=self._table, **query):
                yield from (_from_dynamo(item) for item in page["Items"])


def _key(report_id: str, sort_key: str) -> dict[str, Any]:
    return _to_dynamo({"PK": f"REPORT#{report_id}", "SK": sort_key})


def _plain(record: ReportRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json", exclude_none=True)
    if record.cvss_score is not None:
        values["cvss_score"] = Decimal(str(record.cvss_score))
    return values


def _to_dynamo(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
