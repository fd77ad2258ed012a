"""The table's item shapes: keys, event puts, attribute changes, type conversion."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from chalicelib.domain.report.records import ReportEvent, ReportRecord

_serializer = TypeSerializer()


_deserializer = TypeDeserializer()


def item_key(report_id: str, sort_key: str) -> dict[str, Any]:
    return to_dynamo({"PK": f"REPORT#{report_id}", "SK": sort_key})


def lost_race(error: BaseException | None) -> bool:
    """A transaction cancelled by a failed condition (or a concurrent transaction)."""
    reasons = getattr(error, "response", {}).get("CancellationReasons", [])
    codes = {reason.get("Code") for reason in reasons}
    return not reasons or bool(codes & {"ConditionalCheckFailed", "TransactionConflict"})


def event_put(table: str, report_id: str, event: ReportEvent) -> dict[str, Any]:
    item = {
        "PK": f"REPORT#{report_id}",
        "SK": f"EVENT#{event.at.isoformat()}#{event.event_id}",
        **event.model_dump(mode="json", exclude_none=True),
    }
    return {
        "TableName": table,
        "Item": to_dynamo(item),
        "ConditionExpression": "attribute_not_exists(SK)",
    }


def changed_attributes(before: ReportRecord, after: ReportRecord) -> dict[str, Any]:
    """Only the attributes that differ (None = remove), so a concurrent flag write such as
    `sla_announced` is never overwritten with a stale copy."""
    old, new = plain(before), plain(after)
    names = sorted(old.keys() | new.keys())
    return {name: new.get(name) for name in names if old.get(name) != new.get(name)}


def iso(moment: datetime) -> str:
    """As pydantic writes created_at (UTC, `Z`), so string order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(record: ReportRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json", exclude_none=True)
    if record.cvss_score is not None:
        values["cvss_score"] = Decimal(str(record.cvss_score))
    return values


def to_dynamo(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def from_dynamo(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
