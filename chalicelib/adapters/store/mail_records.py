"""DynamoDB items that keep mail to reporters honest: which event's mail was sent
(MAIL#<event id>, so a retried event never mails twice) and which addresses bounced or
complained (SUPPRESS#<address hash>, so nothing more is sent to them). No address is
stored in clear: suppression items are keyed by the address's SHA-256."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.failures import translated
from chalicelib.domain.errors import AlreadyExists

CLAIM_DAYS = 400  # longer than any retry of a stream record (24 hours)


class DynamoMailLog:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def claim(self, event_id: str, now: datetime) -> bool:
        """True the first time an event's mail is claimed; False ever after."""
        expires = int((now + timedelta(days=CLAIM_DAYS)).timestamp())
        item = {
            "PK": {"S": f"MAIL#{event_id}"},
            "SK": {"S": "MAIL"},
            "expires_at": {"N": str(expires)},
        }
        try:
            with translated("dynamodb", taken=("ConditionalCheckFailedException",)):
                self._client.put_item(
                    TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(PK)"
                )
        except AlreadyExists:
            return False
        return True

    def release(self, event_id: str) -> None:
        """Give a claim back when the mail could not be sent (the retry sends it)."""
        with translated("dynamodb"):
            self._client.delete_item(
                TableName=self._table, Key={"PK": {"S": f"MAIL#{event_id}"}, "SK": {"S": "MAIL"}}
            )

    def suppress(self, address: str, reason: str) -> None:
        with translated("dynamodb"):
            self._client.put_item(
                TableName=self._table,
                Item={"PK": {"S": _suppressed(address)}, "SK": {"S": "SUPPRESS"},
                      "reason": {"S": reason}},
            )  # fmt: skip

    def suppressed(self, address: str) -> bool:
        with translated("dynamodb"):
            answer = self._client.get_item(
                TableName=self._table,
                Key={"PK": {"S": _suppressed(address)}, "SK": {"S": "SUPPRESS"}},
                ConsistentRead=True,
            )
        return "Item" in answer


def _suppressed(address: str) -> str:
    return "SUPPRESS#" + hashlib.sha256(address.strip().lower().encode()).hexdigest()
