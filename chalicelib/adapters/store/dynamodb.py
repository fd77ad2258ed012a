"""DynamoDB: one table; report metadata (no content), events, housekeeping items."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from chalicelib.adapters.failures import translated
from chalicelib.adapters.store.dynamodb_items import (
    changed_attributes,
    event_put,
    from_dynamo,
    item_key,
    lost_race,
    plain,
    to_dynamo,
)
from chalicelib.domain.errors import AlreadyExists, Conflict, Unavailable
from chalicelib.domain.report.records import Decoy, ReceiptCheck, ReportEvent, ReportRecord

STATUS_INDEX = "status-index"
# What a receipt check reads: the same few attributes of a report or a decoy.
_CHECKED = "SK, receipt_hash, purging, created_at, acknowledge_by"
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

    def receipt_check(self, report_id: str) -> ReceiptCheck:
        """A report's receipt hash, or a decoy's: one BatchGetItem of both keys, projected
        to a few attributes, whichever exists (none, one) and whatever the id."""
        keys = [item_key(report_id, "META"), item_key(report_id, "DECOY")]
        request = {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": _CHECKED}
        with translated("dynamodb"):
            answer = self._client.batch_get_item(RequestItems={self._table: request})
        items = map(from_dynamo, answer["Responses"][self._table])
        found = {str(item.pop("SK")): item for item in items}
        if "META" in found:
            meta = found["META"]
            return ReceiptCheck(receipt_hash=meta["receipt_hash"], purging=meta.get("purging"))
        if "DECOY" in found:
            return ReceiptCheck(decoy=Decoy(report_id=report_id, **found["DECOY"]))
        return ReceiptCheck()

    def add_decoy(self, decoy: Decoy, expires: datetime) -> None:
        """A honeypot's decoy (SK=DECOY), gone with the TTL; never a report's key."""
        values = decoy.model_dump(mode="json", exclude={"report_id"})
        item = {**item_key(decoy.report_id, "DECOY"), **to_dynamo(values)}
        item.update(to_dynamo({"expires_at": int(expires.timestamp())}))
        with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
            self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)"
            )

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

    def record_breach(self, report_id: str, deadline: str, due: str, event: ReportEvent) -> bool:
        """Record a breach of `due` once: the date on the report and the event in its history,
        in one transaction that fails (False) when this breach was recorded before."""
        meta = {
            "TableName": self._table,
            "Key": item_key(report_id, "META"),
            "UpdateExpression": "SET sla_announced.#name = :due",
            "ConditionExpression": "attribute_exists(PK) AND (attribute_not_exists("
            "sla_announced.#name) OR sla_announced.#name <> :due)",
            "ExpressionAttributeNames": {"#name": deadline},
            "ExpressionAttributeValues": to_dynamo({":due": due}),
        }
        put = event_put(self._table, report_id, event)
        try:
            with translated("dynamodb", taken=("TransactionCanceledException",)):
                self._client.transact_write_items(TransactItems=[{"Update": meta}, {"Put": put}])
        except AlreadyExists as exc:
            if not lost_race(exc.__cause__):
                raise Unavailable("dynamodb") from exc
            return False
        return True

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
