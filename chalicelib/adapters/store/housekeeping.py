"""DynamoDB housekeeping items: rate windows (RATE#…), spent proof-of-work challenges
(POW#…) and idempotency records (IDEMP#…).

Both carry a TTL (`expires_at`) and never hold content: an idempotency record
keeps the original 201 answer only as a sealed blob (part `idempotency`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.failures import translated
from chalicelib.domain.report.quotas import COUNTED, Quota, refusal


class DynamoRateCounters:
    """One item per hourly window: `total` and one `s_<source>` counter per source.

    A single conditional UpdateItem checks and counts both limits at once (no
    transaction); a refused request changes nothing. An hour of sources fits an
    item easily: the overall limit caps how many can be counted.
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def hit(self, quota: Quota, expires: datetime) -> str:
        """Add one for the source (and overall): COUNTED, or LIMITED / PROOF_NEEDED (nothing
        added) when a limit, or the unproven threshold, is reached."""
        names = {"#source": f"s_{quota.source}", "#total": "total"}
        values = {
            ":one": {"N": "1"},
            ":per_source": {"N": str(quota.per_source)},
            ":expires": {"N": str(int(expires.timestamp()))},
        }
        condition = "(attribute_not_exists(#source) OR #source < :per_source)"
        ceiling = min(
            (limit for limit in (quota.overall, quota.unproven_below) if limit is not None),
            default=None,
        )
        if ceiling is not None:
            condition += " AND (attribute_not_exists(#total) OR #total < :ceiling)"
            values[":ceiling"] = {"N": str(ceiling)}
        with translated("dynamodb"):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key={"PK": {"S": quota.window}, "SK": {"S": "RATE"}},
                    UpdateExpression="ADD #source :one, #total :one SET expires_at = :expires",
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as exc:
                if _condition_failed(exc):
                    # The refusal carries the window as it was: which limit refused.
                    item = exc.response.get("Item") or {}
                    mine = int(item.get(f"s_{quota.source}", {}).get("N", "0"))
                    total = int(item.get("total", {}).get("N", "0"))
                    return refusal(quota, mine, total)
                raise
        return COUNTED

    def count(self, window: str) -> int:
        """How many were accepted in the window overall."""
        with translated("dynamodb"):
            item = self._client.get_item(
                TableName=self._table,
                Key={"PK": {"S": window}, "SK": {"S": "RATE"}},
                ProjectionExpression="#total",
                ExpressionAttributeNames={"#total": "total"},
            ).get("Item")
        return int(item["total"]["N"]) if item and "total" in item else 0


class DynamoProofs:
    """Spent proof-of-work challenges (POW#<id>), kept until the challenge expires."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def spend(self, challenge_id: str, expires: datetime) -> bool:
        """True the first time an id is spent, False ever after (until its TTL)."""
        item = {
            "PK": {"S": f"POW#{challenge_id}"},
            "SK": {"S": "POW"},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }
        with translated("dynamodb"):
            try:
                self._client.put_item(
                    TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)"
                )
            except ClientError as exc:
                if _condition_failed(exc):
                    return False
                raise
        return True


RELEASED = "0"  # the lease of a released claim: anyone may take the key


class DynamoIdempotency:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def begin(
        self, key: str, fingerprint: str, now: datetime, lease_until: datetime, expires: datetime
    ) -> dict[str, Any] | None:
        """Claim the key (or take over a released claim, or one whose lease ran out on the
        same content); None if it is ours now, else the existing record."""
        item = {
            "PK": {"S": f"IDEMP#{key}"},
            "SK": {"S": "IDEMP"},
            "state": {"S": "pending"},
            "fingerprint": {"S": fingerprint},
            "lease_until": {"N": str(int(lease_until.timestamp()))},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }
        with translated("dynamodb"):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=item,
                    ConditionExpression=(
                        "attribute_not_exists(PK) OR (#state = :pending AND (lease_until = "
                        ":released OR (lease_until < :now AND fingerprint = :fingerprint)))"
                    ),
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={
                        ":pending": {"S": "pending"},
                        ":released": {"N": RELEASED},
                        ":now": {"N": str(int(now.timestamp()))},
                        ":fingerprint": {"S": fingerprint},
                    },
                )
                return None
            except ClientError as exc:
                if not _condition_failed(exc):
                    raise
        return self.get(key)

    def get(self, key: str) -> dict[str, Any] | None:
        with translated("dynamodb"):
            answer = self._client.get_item(
                TableName=self._table, Key=_key(key), ConsistentRead=True
            )
        item = answer.get("Item")
        if not item:
            return None
        return {
            "state": item["state"]["S"],
            "fingerprint": item.get("fingerprint", {}).get("S"),
            "report_id": item.get("report_id", {}).get("S"),
            "response": item.get("response", {}).get("B"),
        }

    def complete(self, key: str, report_id: str, sealed_response: bytes | bytearray) -> None:
        with translated("dynamodb"):
            self._client.update_item(
                TableName=self._table,
                Key=_key(key),
                UpdateExpression="SET #state = :done, report_id = :id, #response = :response",
                ExpressionAttributeNames={"#state": "state", "#response": "response"},
                ExpressionAttributeValues={
                    ":done": {"S": "done"},
                    ":id": {"S": report_id},
                    ":response": {"B": sealed_response},
                },
            )

    def abandon(self, key: str) -> None:
        """Release a claim whose submission failed, so a retry can go through. Released,
        not deleted: the intake function holds no delete permission (its TTL removes it)."""
        with translated("dynamodb"):
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=_key(key),
                    UpdateExpression="SET lease_until = :released",
                    ConditionExpression="#state = :pending",
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={
                        ":pending": {"S": "pending"},
                        ":released": {"N": RELEASED},
                    },
                )
            except ClientError as exc:
                if not _condition_failed(exc):  # already completed: nothing to release
                    raise


def _key(key: str) -> dict[str, Any]:
    return {"PK": {"S": f"IDEMP#{key}"}, "SK": {"S": "IDEMP"}}


def _condition_failed(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons
    )
