"""Abuse resistance for the public intake: who is asking, and how often.

A source is the client address from API Gateway (never a client-supplied header),
keyed with a salt that is derived from a secret and changes every UTC day, so
counters can tell sources apart without any raw address being stored or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime, timedelta

from chalicelib.domain.errors import RateLimited
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.quotas import LIMITED, PROOF_NEEDED, Quota, window_of
from chalicelib.usecases.ports import Limiter, Ports
from chalicelib.usecases.reporter.proof import (
    Challenge,
    ProofRequired,
    is_form_token,
    issue,
    issue_form_token,
    proof_key,
    verify,
    verify_form_token,
)

REPORTS = "reports"
MESSAGES = "messages"
RECEIPTS = "receipts"  # failed receipt checks: an id and a receipt that open nothing


def source_key(secret: bytes, address: str, now: datetime) -> str:
    """An opaque, per-day pseudonym for a client address (rate limits)."""
    daily_salt = hmac.new(secret, f"salt:{now.date().isoformat()}".encode(), hashlib.sha256)
    return hmac.new(daily_salt.digest(), _network(address), hashlib.sha256).hexdigest()[:32]


def pseudonyms(ports: Ports, address: str | None, now: datetime) -> tuple[str | None, str | None]:
    """The address's daily pseudonym (rate limits) and its stable one (idempotency scope);
    the address itself goes no further than this."""
    if address is None or ports.secret is None:
        return None, None
    secret = ports.secret()
    return source_key(secret, address, now), client_key(secret, address)


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


def proof_required(ports: Ports, now: datetime) -> bool:
    """Whether a submission must carry a solved challenge right now (policy mode)."""
    limits = ports.policy.abuse
    if limits.proof_of_work == "off" or ports.proofs is None:
        return False
    if limits.proof_of_work == "always" or ports.limiter is None:
        return True
    seen = ports.limiter.count(window_of(REPORTS, now))
    return seen >= limits.proof_of_work_above_per_hour


def new_challenge(ports: Ports, now: datetime) -> tuple[Challenge, bool]:
    """A signed challenge to solve, and whether a submission needs one right now."""
    return issue(_proof_key(ports), ports.policy.abuse.proof_of_work_difficulty, now), (
        proof_required(ports, now)
    )


def _proof_key(ports: Ports) -> bytes:
    if ports.secret is None:
        raise ProofRequired()  # no secret, no challenge can be checked: refuse, never skip
    return proof_key(ports.secret())


def check_proof(ports: Ports, proof: str | None, now: datetime) -> None:
    """Signature, expiry, difficulty and work, then single use (when a proof is required)."""
    if proof_required(ports, now) and ports.proofs is not None:
        _spend(ports, proof, now)


def admit_report(
    ports: Ports, source: str | None, proof: str | None, now: datetime, *, by_mail: bool = False
) -> None:
    """Proof-of-work as the policy asks, and one report counted against the hourly limits.

    A mailed report is counted like any other, but asks for no proof: a mail client cannot
    solve a challenge, and SES has judged the mail (spam and virus verdicts) already.

    Normally one conditional write: in `above_rate` mode the window counts an unproven
    report only while the hour is below the threshold. A proof is checked (and spent) only
    when that write says it is needed, or always in `always` mode; then the report is counted.
    """
    limiter, proofs, limits = ports.limiter, ports.proofs, ports.policy.abuse
    if by_mail:
        if limiter is not None and source is not None:
            _count(limiter, ports.policy, REPORTS, source, now)
        return
    if limiter is None or source is None:  # nothing to count against
        check_proof(ports, proof, now)
        return
    threshold = None
    mode = limits.proof_of_work
    if mode == "above_rate" and limits.proof_of_work_above_per_hour <= 0:
        mode = "always"  # a window that does not exist yet would pass any threshold
    if proofs is not None and mode == "always":
        # Spent before counting: a replayed proof must not reach the counters (one proof
        # replayed from many addresses would fill the hour's overall limit).
        _spend(ports, proof, now)
    elif proofs is not None and mode == "above_rate":
        threshold = limits.proof_of_work_above_per_hour
    outcome = _count(limiter, ports.policy, REPORTS, source, now, unproven_below=threshold)
    if outcome == PROOF_NEEDED and proofs is not None:
        _spend(ports, proof, now)
        _count(limiter, ports.policy, REPORTS, source, now)


def enforce(ports: Ports, kind: str, source: str | None, now: datetime) -> None:
    """Count one accepted request against the source's and the overall hourly limit."""
    if ports.limiter is None or source is None:
        return
    _count(ports.limiter, ports.policy, kind, source, now)


def _count(
    limiter: Limiter,
    policy: Policy,
    kind: str,
    source: str,
    now: datetime,
    unproven_below: int | None = None,
) -> str:
    hour = now.replace(minute=0, second=0, microsecond=0)
    per_source, overall = _limits(policy, kind)
    quota = Quota(window_of(kind, now), source, per_source, overall, unproven_below)
    expires = hour + timedelta(hours=2)  # TTL: DynamoDB removes spent windows
    outcome = limiter.hit(quota, expires)
    if outcome == LIMITED:
        raise RateLimited(retry_after=int((hour + timedelta(hours=1) - now).total_seconds()) + 1)
    return outcome


def new_form_token(ports: Ports, now: datetime) -> str:
    """The token a form page carries for a browser without JavaScript ("" when no proof
    of work can ever be asked for)."""
    limits = ports.policy.abuse
    if limits.proof_of_work == "off" or ports.proofs is None or ports.secret is None:
        return ""
    wait = timedelta(seconds=limits.proof_of_work_form_wait_seconds)
    return issue_form_token(_proof_key(ports), now, wait)


def _spend(ports: Ports, proof: str | None, now: datetime) -> None:
    """Check a solved challenge, or a form page's token after its wait, and spend it once."""
    key = _proof_key(ports)
    if proof and is_form_token(proof):
        challenge = verify_form_token(key, proof, now)
    else:
        challenge = verify(key, proof or "", ports.policy.abuse.proof_of_work_difficulty, now)
    if ports.proofs is None or not ports.proofs.spend(challenge.challenge_id, challenge.expires_at):
        raise ProofRequired()


def _limits(policy: Policy, kind: str) -> tuple[int, int]:
    """A kind's hourly limits: per source, and overall (which also bounds the counter item:
    one small attribute per source)."""
    limits = policy.abuse
    return {
        REPORTS: (limits.reports_per_hour_per_source, limits.reports_per_hour_global),
        MESSAGES: (limits.messages_per_hour_per_source, limits.messages_per_hour_global),
        RECEIPTS: (limits.failed_receipts_per_hour_per_source,
                   limits.failed_receipts_per_hour_global),
    }[kind]  # fmt: skip
