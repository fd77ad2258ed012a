"""Abuse resistance for the public intake: who is asking, and how often.

A source is the client address from API Gateway (never a client-supplied header),
keyed with a salt that is derived from a secret and changes every UTC day, so
counters can tell sources apart without any raw address being stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.errors import RateLimited
from chalicelib.policy import Policy
from chalicelib.ports import Ports

REPORTS = "reports"
MESSAGES = "messages"


def source_key(secret: bytes, address: str, now: datetime) -> str:
    """An opaque, per-day pseudonym for a client address."""
    daily_salt = hmac.new(secret, f"salt:{now.date().isoformat()}".encode(), hashlib.sha256)
    return hmac.new(daily_salt.digest(), address.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Counter:
    """One hourly counter item: PK names the window, SK the source (or ALL)."""

    window: str
    source: str
    limit: int


def enforce(ports: Ports, kind: str, source: str | None, now: datetime) -> None:
    """Count one accepted request against the source's and the global hourly limit."""
    if ports.limiter is None or source is None:
        return
    hour = now.replace(minute=0, second=0, microsecond=0)
    window = f"RATE#{kind}#{hour.strftime('%Y%m%dT%H')}"
    counters = [Counter(window, source, _per_source(ports.policy, kind))]
    if kind == REPORTS:
        counters.append(Counter(window, "ALL", ports.policy.abuse.reports_per_hour_global))
    expires = hour + timedelta(hours=2)  # TTL: DynamoDB removes spent windows
    if not ports.limiter.hit(counters, expires):
        raise RateLimited(retry_after=int((hour + timedelta(hours=1) - now).total_seconds()) + 1)


def _per_source(policy: Policy, kind: str) -> int:
    limits = policy.abuse
    return (
        limits.reports_per_hour_per_source
        if kind == REPORTS
        else limits.messages_per_hour_per_source
    )
