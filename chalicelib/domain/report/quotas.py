"""Hourly quotas: what a rate-limit window is, and what one more hit on it answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Quota:
    """One hour's window of one kind: a limit per source and, optionally, overall.

    `unproven_below`: count a request without a solved challenge only while the window's
    total is below it (proof-of-work `above_rate`), so the one write also answers "is a
    proof needed now?" and a submission needs no separate read of the window.
    """

    window: str
    source: str
    per_source: int
    overall: int | None = None
    unproven_below: int | None = None


# What a limiter's hit says: counted, refused by a limit, or refused until a proof comes.
COUNTED, LIMITED, PROOF_NEEDED = "counted", "limited", "proof_needed"


def refusal(quota: Quota, mine: int, total: int) -> str:
    """Why a window refused one more: a limit (LIMITED) wins over a missing proof."""
    over_overall = quota.overall is not None and total >= quota.overall
    if quota.unproven_below is None or mine >= quota.per_source or over_overall:
        return LIMITED
    return PROOF_NEEDED


def window_of(kind: str, now: datetime) -> str:
    return f"RATE#{kind}#{now.strftime('%Y%m%dT%H')}"
