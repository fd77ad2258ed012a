"""DynamoDB: one table; report metadata (no content), events, housekeeping items."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb_items import (
    changed_attributes,
    event_put,
    from_dynamo,
    iso,
    item_key,
    lost_race,
    plain,
    to_dynamo,
)
from chalicelib.adapters.failures import translated
from chalicelib.domain.errors import AlreadyExists, Conflict, Unavailable
from chalicelib.domain.records import ReportEvent, ReportRecord

STATUS_INDEX = "status-index"
_WRITE_BATCH = 25  # BatchWriteItem takes at most 25 requests per call


class DynamoReports:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, record: ReportRecord) -> None:
        """Insert the report row; never overwrites (a taken id raises AlreadyExists)."""
        item = {"PK": f"REPORT#{record.report_id}", "SK": "META", **plain(record)}
        try:
            with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
                self._client.put_item(
                    TableName=self._table,
                    Item=to_dynamo(item),
                    ConditionExpression="attribute_not_exists(PK)",
                )
        except AlreadyExists:
            # A retried put whose first attempt landed (its answer lost) finds its own
            # row: the receipt hash is unique to this submission, so that is success.
            existing = self.get(record.report_id)
            if existing is None or existing.receipt_hash != record.receipt_hash:
                raise

    def get(self, report_id: str) -> ReportRecord | None:
        with translated("dynamodb"):
            answer = self._client.get_item(
                TableName=self._table, Key=item_key(report_id, "META"), ConsistentRead=True
            )
        item = answer.get("Item")
        return ReportRecord.model_validate(from_dynamo(item)) if item else None

    def events(self, report_id: str) -> list[ReportEvent]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues=to_dynamo(
                {":pk": f"REPORT#{report_id}", ":prefix": "EVENT#"}
            ),
        )
        return [ReportEvent.model_validate(item) for item in items]

    def add_event(self, report_id: str, event: ReportEvent) -> None:
        """Append an event item (SK=EVENT#<time>#<id>): history is never rewritten."""
        with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
            self._client.put_item(**event_put(self._table, report_id, event))

    def update(
        self, before: ReportRecord, after: ReportRecord, events: Sequence[ReportEvent]
    ) -> None:
        """Save `after` only if the stored rev is still `before.rev`, with its events.

        One transaction: the metadata change and its history items land together or not
        at all, so a lost race leaves no orphan event. Raises Conflict when it lost.
        """
        changes = changed_attributes(before, after)
        names = {f"#f{i}": name for i, name in enumerate(changes)}
        values = {f":v{i}": value for i, value in enumerate(changes.values()) if value is not None}
        sets = [f"#f{i} = :v{i}" for i, value in enumerate(changes.values()) if value is not None]
        removes = [f"#f{i}" for i, value in enumerate(changes.values()) if value is None]
        expression = " ".join(
            clause
            for clause in (
                f"SET {', '.join(sets)}" if sets else "",
                f"REMOVE {', '.join(removes)}" if removes else "",
            )
            if clause
        )
        meta = {
            "TableName": self._table,
            "Key": item_key(before.report_id, "META"),
            "UpdateExpression": expression,
            "ConditionExpression": "#rev = :expected",
            "ExpressionAttributeNames": {**names, "#rev": "rev"},
            "ExpressionAttributeValues": to_dynamo({**values, ":expected": before.rev}),
        }
        puts = [{"Put": event_put(self._table, before.report_id, e)} for e in events]
        try:
            with translated("dynamodb", taken=("TransactionCanceledException",)):
                self._client.transact_write_items(TransactItems=[{"Update": meta}, *puts])
        except AlreadyExists as exc:
            if not lost_race(exc.__cause__):
                raise Unavailable("dynamodb") from exc  # cancelled by throttling, not by us
            raise Conflict(
                f"{before.report_id} was changed by someone else since it was read; "
                "nothing was saved. Reload and try again."
            ) from None

    def claim_deadline(
        self, report_id: str, deadline: str, due: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Lease the announcement of a breach of `due`; False when it was announced or another
        sweep holds a live lease. A sweep that dies holding it loses it when the lease ends."""
        return self._claim(
            report_id,
            "SET #lease = :until",
            "attribute_exists(PK) AND (attribute_not_exists(sla_announced.#name) "
            "OR sla_announced.#name <> :due) AND (attribute_not_exists(#lease) OR #lease < :now)",
            {"#name": deadline, "#lease": f"sla_lease_{deadline}"},
            {":due": due, ":until": iso(lease_until), ":now": iso(now)},
        )

    def confirm_deadline(self, report_id: str, deadline: str, due: str) -> None:
        """Record the breach of `due` as announced (after SNS took it)."""
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=item_key(report_id, "META"),
                UpdateExpression="SET sla_announced.#name = :due REMOVE #lease",
                ExpressionAttributeNames={"#name": deadline, "#lease": f"sla_lease_{deadline}"},
                ExpressionAttributeValues=to_dynamo({":due": due}),
            )

    def release_deadline(self, report_id: str, deadline: str) -> None:
        """Give up a lease whose announcement failed, so the next sweep tries again."""
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=item_key(report_id, "META"),
                UpdateExpression="REMOVE #lease",
                ExpressionAttributeNames={"#lease": f"sla_lease_{deadline}"},
            )

    def unnotified(self, created_before: datetime) -> Iterator[ReportRecord]:
        """Received reports still waiting for their first notification (index + filter)."""
        items = self._query(
            IndexName=STATUS_INDEX,
            KeyConditionExpression="#status = :status AND created_at < :before",
            FilterExpression="notified = :false",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_dynamo(
                {":status": "received", ":before": iso(created_before), ":false": False}
            ),
        )
        for item in items:
            yield ReportRecord.model_validate(item)

    def claim_notification(self, report_id: str, now: datetime, lease_until: datetime) -> bool:
        """Lease the first notification of a report not yet notified; False when another run
        holds a live lease. `notified` is set only once SNS took the message."""
        return self._claim(
            report_id,
            "SET notify_lease = :until",
            "notified = :false AND (attribute_not_exists(notify_lease) OR notify_lease < :now)",
            {},
            {":false": False, ":until": iso(lease_until), ":now": iso(now)},
        )

    def release_notification(self, report_id: str) -> None:
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=item_key(report_id, "META"),
                UpdateExpression="REMOVE notify_lease",
                ConditionExpression="attribute_exists(PK)",
            )

    def _claim(
        self,
        report_id: str,
        update: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
    ) -> bool:
        # A conditional write is the lock: of two racing sweeps exactly one succeeds.
        try:
            with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
                self._client.update_item(
                    TableName=self._table,
                    Key=item_key(report_id, "META"),
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeValues=to_dynamo(values),
                    **({"ExpressionAttributeNames": names} if names else {}),
                )
        except AlreadyExists:
            return False
        return True

    def mark_notified(self, report_id: str) -> None:
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=item_key(report_id, "META"),
                UpdateExpression="SET notified = :true REMOVE notify_lease",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":true": {"BOOL": True}},
            )

    def by_status(self, status: str) -> Iterator[ReportRecord]:
        """Newest first, page by page through the status index."""
        items = self._query(
            IndexName=STATUS_INDEX,
            KeyConditionExpression="#status = :status",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_dynamo({":status": status}),
            ScanIndexForward=False,
        )
        for item in items:
            yield ReportRecord.model_validate(item)

    def mark_purging(self, report_id: str, expected_rev: int) -> None:
        """Tombstone a report before its purge (rev + 1): later changes read as conflicts."""
        try:
            with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
                self._client.update_item(
                    TableName=self._table,
                    Key=item_key(report_id, "META"),
                    UpdateExpression="SET purging = :true, #rev = #rev + :one",
                    ConditionExpression="#rev = :expected",
                    ExpressionAttributeNames={"#rev": "rev"},
                    ExpressionAttributeValues=to_dynamo(
                        {":true": True, ":one": 1, ":expected": expected_rev}
                    ),
                )
        except AlreadyExists:
            raise Conflict(f"{report_id} changed since it was assessed") from None

    def delete_report(self, report_id: str, expected_rev: int) -> None:
        """Delete every item of a report: its events, then its metadata if still at `rev`.

        The metadata goes last, so a purge cut short is found and finished by the next run.
        """
        keys = self._query(
            KeyConditionExpression="PK = :pk",
            ProjectionExpression="PK, SK",
            ExpressionAttributeValues=to_dynamo({":pk": f"REPORT#{report_id}"}),
        )
        events = [to_dynamo(key) for key in keys if key["SK"] != "META"]
        for start in range(0, len(events), _WRITE_BATCH):
            requests = [
                {"DeleteRequest": {"Key": key}} for key in events[start : start + _WRITE_BATCH]
            ]
            with translated("dynamodb"):
                unprocessed = self._client.batch_write_item(RequestItems={self._table: requests})
            if unprocessed.get("UnprocessedItems"):
                raise Unavailable("dynamodb")
        try:
            with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
                self._client.delete_item(
                    TableName=self._table,
                    Key=item_key(report_id, "META"),
                    ConditionExpression="#rev = :expected",
                    ExpressionAttributeNames={"#rev": "rev"},
                    ExpressionAttributeValues=to_dynamo({":expected": expected_rev}),
                )
        except AlreadyExists:
            raise Conflict(f"{report_id} changed while it was being purged") from None

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("query")
        with translated("dynamodb"):
            for page in paginator.paginate(TableName=self._table, **query):
                yield from (from_dynamo(item) for item in page["Items"])
