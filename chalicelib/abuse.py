"""Abuse resistance for the public intake: who is asking, and how often.

A source is the client address from API Gateway (never a client-supplied header),
keyed with a salt that is derived from a secret and changes every UTC day, so
counters can tell sources apart without any raw address being stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.errors import RateLimited
from chalicelib.policy import Policy
from chalicelib.ports import Ports
from chalicelib.proof import ProofRequired, verify

REPORTS = "reports"
MESSAGES = "messages"


def source_key(secret: bytes, address: str, now: datetime) -> str:
    """An opaque, per-day pseudonym for a client address (rate limits)."""
    daily_salt = hmac.new(secret, f"salt:{now.date().isoformat()}".encode(), hashlib.sha256)
    return hmac.new(daily_salt.digest(), _network(address), hashlib.sha256).hexdigest()[:32]


def client_key(secret: bytes, address: str) -> str:
    """A stable pseudonym (idempotency scope: a retry across midnight is still a retry)."""
    return hmac.new(secret, b"client:" + _network(address), hashlib.sha256).hexdigest()[:32]


def _network(address: str) -> bytes:
    """IPv6 clients are counted per /64 (one subscriber's usual allocation), IPv4 per address."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address.encode()
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False)).encode()
    return str(parsed).encode()


@dataclass(frozen=True)
class Quota:
    """One hour's window of one kind: a limit per source and, optionally, overall."""

    window: str
    source: str
    per_source: int
    overall: int | None = None


def window_of(kind: str, now: datetime) -> str:
    return f"RATE#{kind}#{now.strftime('%Y%m%dT%H')}"


def proof_required(ports: Ports, now: datetime) -> bool:
    """Whether a submission must carry a solved challenge right now (policy mode)."""
    limits = ports.policy.abuse
    if limits.proof_of_work == "off" or ports.proofs is None:
        return False
    if limits.proof_of_work == "always" or ports.limiter is None:
        return True
    seen = ports.limiter.count(window_of(REPORTS, now))
    return seen >= limits.proof_of_work_above_per_hour


def check_proof(ports: Ports, proof: str | None, now: datetime) -> None:
    """Signature, expiry, difficulty and work, then single use."""
    if not proof_required(ports, now) or ports.proofs is None:
        return
    difficulty = ports.policy.abuse.proof_of_work_difficulty
    challenge = verify(ports.proofs.key(), proof or "", difficulty, now)
    if not ports.proofs.spend(challenge.challenge_id, challenge.expires_at):
        raise ProofRequired()


def enforce(ports: Ports, kind: str, source: str | None, now: datetime) -> None:
    """Count one accepted request against the source's and the overall hourly limit."""
    if ports.limiter is None or source is None:
        return
    hour = now.replace(minute=0, second=0, microsecond=0)
    limits = ports.policy.abuse
    overall = limits.reports_per_hour_global if kind == REPORTS else limits.messages_per_hour_global
    quota = Quota(window_of(kind, now), source, _per_source(ports.policy, kind), overall)
    expires = hour + timedelta(hours=2)  # TTL: DynamoDB removes spent windows
    if not ports.limiter.hit(quota, expires):
        raise RateLimited(retry_after=int((hour + timedelta(hours=1) - now).total_seconds()) + 1)


def _per_source(policy: Policy, kind: str) -> int:
    limits = policy.abuse
    return (
        limits.reports_per_hour_per_source
        if kind == REPORTS
        else limits.messages_per_hour_per_source
    )
