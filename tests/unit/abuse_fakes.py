"""In-memory rate counters, spent proofs and idempotency records (as the DynamoDB ones).

Ports that use them: tests.builders.guarded_ports."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from chalicelib.domain.report.quotas import COUNTED, Quota, refusal


class FakeLimiter:
    def __init__(self) -> None:
        self.hits: dict[tuple[str, str], int] = {}

    def hit(self, quota: Quota, expires: datetime) -> str:
        mine, total = (quota.window, quota.source), (quota.window, "total")
        ceilings = [limit for limit in (quota.overall, quota.unproven_below) if limit is not None]
        if self.hits.get(mine, 0) >= quota.per_source or (
            ceilings and self.hits.get(total, 0) >= min(ceilings)
        ):
            return refusal(quota, self.hits.get(mine, 0), self.hits.get(total, 0))
        for key in (mine, total):
            self.hits[key] = self.hits.get(key, 0) + 1
        return COUNTED

    def count(self, window: str) -> int:
        return self.hits.get((window, "total"), 0)


class FakeProofs:
    def __init__(self) -> None:
        self.spent: set[str] = set()

    def spend(self, challenge_id: str, expires: datetime) -> bool:
        if challenge_id in self.spent:
            return False
        self.spent.add(challenge_id)
        return True


class FakeIdempotency:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def begin(
        self, key: str, fingerprint: str, now: datetime, lease_until: datetime, expires: datetime
    ) -> dict[str, Any] | None:
        with self._lock:
            held = self.records.get(key)
            stale = (
                held is not None
                and held["state"] == "pending"
                and (
                    held["lease_until"] is None
                    or (held["lease_until"] < now and held["fingerprint"] == fingerprint)
                )
            )
            if held is not None and not stale:
                return dict(held)
            self.records[key] = {
                "state": "pending", "fingerprint": fingerprint, "lease_until": lease_until,
                "report_id": None, "response": None,
            }  # fmt: skip
            return None

    def get(self, key: str) -> dict[str, Any] | None:
        return dict(self.records[key]) if key in self.records else None

    def complete(self, key: str, report_id: str, sealed_response: bytes | bytearray) -> None:
        self.records[key] = {
            **self.records[key],
            "state": "done",
            "report_id": report_id,
            "response": bytes(sealed_response),
        }

    def abandon(self, key: str) -> None:
        if self.records.get(key, {}).get("state") == "pending":
            self.records[key]["lease_until"] = None  # released
