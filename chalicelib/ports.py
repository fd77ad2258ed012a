"""What the use cases need from the outside world, as Protocols (adapters and fakes fit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.crypto import Context, DataKey
from chalicelib.models import ReportEvent, ReportRecord
from chalicelib.policy import Policy


class Keys(Protocol):
    def generate(self, context: Context) -> DataKey: ...
    def unwrap(self, wrapped: bytes, context: Context) -> bytes: ...


@dataclass(frozen=True)
class BlobVersion:
    """One version (or delete marker) of a stored object."""

    key: str
    version_id: str
    modified: datetime


class Blobs(Protocol):
    def put_new(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def versions(self, prefix: str) -> Iterator[BlobVersion]: ...
    def delete_versions(self, versions: Sequence[BlobVersion]) -> None: ...


class Reports(Protocol):
    def create(self, record: ReportRecord) -> None: ...
    def get(self, report_id: str) -> ReportRecord | None: ...
    def events(self, report_id: str) -> list[ReportEvent]: ...
    def add_event(self, report_id: str, event: ReportEvent) -> None: ...
    def mark_notified(self, report_id: str) -> None: ...
    def by_status(self, status: str) -> Iterator[ReportRecord]: ...
    def update(
        self, before: ReportRecord, after: ReportRecord, events: Sequence[ReportEvent]
    ) -> None: ...
    def claim_deadline(self, report_id: str, deadline: str, due: str) -> bool: ...
    def release_deadline(self, report_id: str, deadline: str) -> None: ...
    def unnotified(self, created_before: datetime) -> Iterator[ReportRecord]: ...
    def claim_notification(self, report_id: str) -> bool: ...
    def release_notification(self, report_id: str) -> None: ...


class Notifier(Protocol):
    def publish(self, message: Mapping[str, object], attributes: Mapping[str, str]) -> None: ...


@dataclass(frozen=True)
class Ports:
    """Everything a use case may touch, handed in by wiring.py (or a test)."""

    keys: Keys
    blobs: Blobs
    reports: Reports
    notifier: Notifier
    policy: Policy
    clock: Callable[[], datetime]
