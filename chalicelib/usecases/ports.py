"""What the use cases need from the outside world, as Protocols (adapters and fakes fit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.crypto import Context, DataKey
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.receipts import new_report_id
from chalicelib.domain.report.quotas import Quota
from chalicelib.domain.report.records import (
    BlobVersion,
    Decoy,
    ReceiptCheck,
    ReportEvent,
    ReportRecord,
)


class Keys(Protocol):
    def generate(self, context: Context) -> DataKey: ...
    def unwrap(self, wrapped: bytes, context: Context) -> bytes: ...


class Blobs(Protocol):
    def put_new(self, key: str, data: bytes | bytearray) -> None: ...
    def get(self, key: str) -> bytes: ...
    def versions(self, prefix: str) -> Iterator[BlobVersion]: ...
    def delete_versions(self, versions: Sequence[BlobVersion]) -> None: ...
    def put_public(self, key: str, data: bytes, content_type: str) -> None: ...


class Reports(Protocol):
    def create(self, record: ReportRecord) -> None: ...
    def get(self, report_id: str) -> ReportRecord | None: ...
    def receipt_check(self, report_id: str) -> ReceiptCheck: ...
    def add_decoy(self, decoy: Decoy, expires: datetime) -> None: ...
    def events(self, report_id: str) -> list[ReportEvent]: ...
    def add_event(self, report_id: str, event: ReportEvent) -> None: ...
    def by_status(self, status: str) -> Iterator[ReportRecord]: ...
    def update(
        self, before: ReportRecord, after: ReportRecord, events: Sequence[ReportEvent]
    ) -> None: ...
    def record_breach(
        self, report_id: str, deadline: str, due: str, event: ReportEvent
    ) -> bool: ...
    def mark_purging(self, report_id: str, expected_rev: int) -> None: ...
    def delete_report(self, report_id: str, expected_rev: int) -> None: ...


class Limiter(Protocol):
    def hit(self, quota: Quota, expires: datetime) -> str: ...  # quotas.COUNTED, LIMITED, ...
    def count(self, window: str) -> int: ...


class ProofStore(Protocol):
    def spend(self, challenge_id: str, expires: datetime) -> bool: ...


class IdempotencyStore(Protocol):
    def begin(
        self, key: str, fingerprint: str, now: datetime, lease_until: datetime, expires: datetime
    ) -> dict[str, Any] | None: ...
    def get(self, key: str) -> dict[str, Any] | None: ...
    def complete(self, key: str, report_id: str, sealed_response: bytes | bytearray) -> None: ...
    def abandon(self, key: str) -> None: ...


class Notifier(Protocol):
    def publish(self, message: Mapping[str, object], attributes: Mapping[str, str]) -> None: ...


class Mailer(Protocol):
    def send(self, sender: str, recipient: str, raw: bytes) -> str: ...


class MailLog(Protocol):
    def claim(self, event_id: str, now: datetime) -> bool: ...
    def release(self, event_id: str) -> None: ...
    def suppress(self, address: str, reason: str) -> None: ...
    def suppressed(self, address: str) -> bool: ...


class Encryptor(Protocol):
    def encrypt(self, armored_key: str, data: bytes) -> str: ...


@dataclass(frozen=True)
class Ports:
    """Everything a use case may touch, handed in by bootstrap.py (or a test)."""

    keys: Keys
    blobs: Blobs
    reports: Reports
    notifier: Notifier
    policy: Policy
    clock: Callable[[], datetime]
    # Abuse resistance; absent in tests that do not exercise it.
    limiter: Limiter | None = None
    idempotency: IdempotencyStore | None = None
    proofs: ProofStore | None = None
    # The root of the address pseudonyms and the proof-of-work key (never stored).
    secret: Callable[[], bytes] | None = None
    # Where new report ids come from (short, random, non-sequential).
    new_report_id: Callable[[], str] = new_report_id
    # Mail with reporters; absent where no mail is sent (the intake function).
    mailer: Mailer | None = None
    mail_log: MailLog | None = None
    encryptor: Encryptor | None = None
    # Where the reporter's pages live, for links in mails (the API's public URL).
    public_url: str | None = None
    # Told, in one line, what was done otherwise than asked (the CLI prints it on stderr).
    warn: Callable[[str], None] | None = None
