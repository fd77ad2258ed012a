"""What the use cases need from the outside world, as Protocols (adapters and fakes fit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.crypto import Context, DataKey
from chalicelib.models import ReportEvent, ReportRecord
from chalicelib.policy import Policy


class Keys(Protocol):
    def generate(self, context: Context) -> DataKey: ...
    def unwrap(self, wrapped: bytes, context: Context) -> bytes: ...


class Blobs(Protocol):
    def put_new(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...


class Reports(Protocol):
    def create(self, record: ReportRecord) -> None: ...
    def get(self, report_id: str) -> ReportRecord | None: ...
    def events(self, report_id: str) -> list[ReportEvent]: ...
    def add_event(self, report_id: str, event: ReportEvent) -> None: ...
    def mark_notified(self, report_id: str) -> None: ...
    def by_status(self, status: str) -> Iterator[ReportRecord]: ...


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
