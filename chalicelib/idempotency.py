"""Idempotency-Key: a retried submission returns the original answer instead of a second report.

The key is scoped to the source (another client cannot replay it) and kept for
24 hours. The first request claims it with a conditional put; a concurrent twin
waits for the first to finish and returns the same 201 body. The stored answer
holds the receipt, so it is sealed (part `idempotency`, which the intake role
may decrypt) rather than kept in plain text.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib import parts
from chalicelib.crypto import open_sealed, seal
from chalicelib.errors import Conflict, FieldProblem, ValidationFailed
from chalicelib.models import Accepted
from chalicelib.ports import IdempotencyStore, Ports

KEEP_FOR = timedelta(hours=24)
PART = "idempotency"
WAIT_SECONDS = 8.0
_POLL = 0.1


def scoped_key(header_value: str, source: str | None) -> str:
    if not 1 <= len(header_value) <= 128 or not header_value.isprintable():
        problem = FieldProblem("Idempotency-Key", "must be 1-128 printable characters")
        raise ValidationFailed([problem])
    return hashlib.sha256(f"{source or '-'}\n{header_value}".encode()).hexdigest()


def once(
    store: IdempotencyStore, ports: Ports, key: str, submit: Callable[[], Accepted]
) -> Accepted:
    """Run `submit` at most once per key; later and concurrent calls get the first answer."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        existing = store.begin(key, ports.clock() + KEEP_FOR)
        if existing is None:
            return _first(store, ports, key, submit)
        if existing.get("state") == "done":
            return _replay(ports, existing)
        if time.monotonic() > deadline:
            raise Conflict("A submission with this Idempotency-Key is still in progress.")
        time.sleep(_POLL)


def _first(
    store: IdempotencyStore, ports: Ports, key: str, submit: Callable[[], Accepted]
) -> Accepted:
    try:
        accepted = submit()
    except Exception:
        store.abandon(key)  # a failed attempt must not block the retry
        raise
    context = parts.context(accepted.report_id, PART)
    sealed = seal(accepted.model_dump_json().encode(), ports.keys.generate(context), context)
    store.complete(key, accepted.report_id, sealed)
    return accepted


def _replay(ports: Ports, record: dict[str, Any]) -> Accepted:
    report_id = str(record["report_id"])
    plain = open_sealed(record["response"], parts.context(report_id, PART), ports.keys.unwrap)
    return Accepted.model_validate(json.loads(plain))
