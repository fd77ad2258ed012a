"""Idempotency-Key: a retried submission returns the original answer instead of a second report.

The key is scoped to the client (a stable pseudonym of its address: another
client cannot replay it) and kept for 24 hours, and it remembers a fingerprint
of the submission: the same key with different content is refused, so a reused
key never hands one reporter's receipt to another. The first request claims the
key with a conditional put and a short lease; a concurrent twin waits for the
first to finish and returns the same 201 body; a claim whose holder died (the
lease ran out) is taken over. The stored answer holds the receipt, so it is
sealed (part `idempotency`, which the intake role may decrypt).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from chalicelib.domain.crypto import open_sealed, seal
from chalicelib.domain.errors import KEY_REUSED, Conflict, FieldProblem, ValidationFailed, VdpError
from chalicelib.domain.report.records import Accepted
from chalicelib.usecases import parts
from chalicelib.usecases.ports import IdempotencyStore, Ports

KEEP_FOR = timedelta(hours=24)
LEASE = timedelta(seconds=30)  # longer than the intake's Lambda timeout
PART = "idempotency"
WAIT_SECONDS = 8.0
_POLL = 0.1
log = logging.getLogger(__name__)


def scoped_key(header_value: str, client: str | None) -> str:
    if not 1 <= len(header_value) <= 128 or not header_value.isprintable():
        raise ValidationFailed(
            [FieldProblem("Idempotency-Key", "must be 1-128 printable characters")]
        )
    return hashlib.sha256(f"{client or '-'}\n{header_value}".encode()).hexdigest()


def fingerprint(fields: Mapping[str, Any]) -> str:
    """What the submission said, as a digest (files by their bytes)."""
    canonical = json.dumps(fields, sort_keys=True, default=_bytes_digest, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def once(
    store: IdempotencyStore,
    ports: Ports,
    key: str,
    digest: str,
    submit: Callable[[], Accepted],
) -> Accepted:
    """Run `submit` at most once per key; later and concurrent calls get the first answer."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        now = ports.clock()
        existing = store.begin(key, digest, now, now + LEASE, now + KEEP_FOR)
        if existing is None:
            return _first(store, ports, key, submit)
        if existing.get("fingerprint") != digest:
            raise ValidationFailed([KEY_REUSED])
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
    try:
        context = parts.context(accepted.report_id, PART)
        sealed = seal(accepted.model_dump_json().encode(), ports.keys.generate(context), context)
        store.complete(key, accepted.report_id, sealed)
    except VdpError:
        # The report is stored and announced: answer with it. A retry within the lease
        # waits; after it, the key is free again (the rare price of two failures).
        log.warning("idempotent answer not saved", extra={"report_id": accepted.report_id})
    return accepted


def _replay(ports: Ports, record: dict[str, Any]) -> Accepted:
    report_id = str(record["report_id"])
    plain = open_sealed(record["response"], parts.context(report_id, PART), ports.keys.unwrap)
    return Accepted.model_validate(json.loads(plain))


def _bytes_digest(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return hashlib.sha256(value).hexdigest()
    raise TypeError(type(value).__name__)
