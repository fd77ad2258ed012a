"""In-memory stand-ins for the ports: real encryption, no AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from chalicelib.domain.crypto import Context, DataKey
from chalicelib.domain.errors import AlreadyExists, Conflict, NotFound, Unavailable
from chalicelib.domain.policy.document import default_policy
from chalicelib.domain.report.records import (
    BlobVersion,
    Decoy,
    ReceiptCheck,
    ReportEvent,
    ReportRecord,
    TableChange,
)
from chalicelib.usecases.events import publish_changes
from chalicelib.usecases.ports import Ports


class FakeKeys:
    """Wrapping keeps the context beside the key, and unwrap refuses another context (as KMS)."""

    def __init__(self) -> None:
        self.fail = False
        self._wrapped: dict[bytes, tuple[bytes, dict[str, str]]] = {}

    def generate(self, context: Context) -> DataKey:
        if self.fail:
            raise Unavailable("kms")
        plaintext, wrapped = os.urandom(32), os.urandom(16)
        self._wrapped[wrapped] = (plaintext, dict(context))
        return DataKey(plaintext=plaintext, wrapped=wrapped, key_id="fake-key")

    def unwrap(self, wrapped: bytes, context: Context) -> bytes:
        plaintext, bound = self._wrapped[wrapped]
        if bound != dict(context):
            raise Unavailable("kms")
        return plaintext


class FakeBlobs:
    def __init__(self) -> None:
        self.fail = False
        self.objects: dict[str, bytes] = {}
        self.modified: dict[str, datetime] = {}  # absent: written at FRIDAY_NOON

    def put_new(self, key: str, data: bytes | bytearray) -> None:
        if self.fail:
            raise Unavailable("s3")
        if key in self.objects:
            raise AlreadyExists(key)
        self.objects[key] = bytes(data)

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(key)
        return self.objects[key]

    def versions(self, prefix: str) -> Iterator[BlobVersion]:
        for key in sorted(self.objects):
            if key.startswith(prefix):
                yield BlobVersion(key, "v1", self.modified.get(key, FRIDAY_NOON))

    def delete_versions(self, versions: Sequence[BlobVersion]) -> None:
        for version in versions:
            self.objects.pop(version.key, None)

    def put_public(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = data


class FakeReports:
    """Reports in memory, and the table's stream: every write appends a TableChange with the
    item as DynamoDB would hold it (inserts of META and EVENT items, metadata changes)."""

    def __init__(self) -> None:
        self.fail = False
        self.records: dict[str, ReportRecord] = {}
        self.decoys: dict[str, tuple[Decoy, datetime]] = {}
        self.calls: list[tuple[str, str]] = []  # (method, report id) of the reads below
        self.event_log: dict[str, list[ReportEvent]] = {}
        self.changes: list[TableChange] = []
        self.delivered = 0  # how many changes the stream handed over successfully

    def create(self, record: ReportRecord) -> None:
        if self.fail:
            raise Unavailable("dynamodb")
        if record.report_id in self.records:
            raise AlreadyExists(record.report_id)
        self.records[record.report_id] = record
        self._stream(True, _meta_item(record))

    def get(self, report_id: str) -> ReportRecord | None:
        self.calls.append(("get", report_id))
        return self.records.get(report_id)

    def receipt_check(self, report_id: str) -> ReceiptCheck:
        self.calls.append(("receipt_check", report_id))
        if record := self.records.get(report_id):
            return ReceiptCheck(receipt_hash=record.receipt_hash, purging=record.purging)
        decoy = self.decoys.get(report_id)
        return ReceiptCheck(decoy=decoy[0] if decoy else None)

    def add_decoy(self, decoy: Decoy, expires: datetime) -> None:
        self.decoys[decoy.report_id] = (decoy, expires)

    def events(self, report_id: str) -> list[ReportEvent]:
        self.calls.append(("events", report_id))
        return self.event_log.get(report_id, [])

    def add_event(self, report_id: str, event: ReportEvent) -> None:
        log = self.event_log.setdefault(report_id, [])
        if any((e.at, e.event_id) == (event.at, event.event_id) for e in log):
            raise AlreadyExists("dynamodb")  # the item key (SK) is the time and the id
        log.append(event)
        self._stream(True, _event_item(report_id, event))

    def by_status(self, status: str) -> Iterator[ReportRecord]:
        yield from (r for r in list(self.records.values()) if r.status == status)

    def update(
        self, before: ReportRecord, after: ReportRecord, events: Sequence[ReportEvent]
    ) -> None:
        current = self.records.get(before.report_id)
        if current is None or current.rev != before.rev:
            raise Conflict(f"{before.report_id} was changed by someone else")
        # As DynamoDB's UpdateItem: only the changed fields, so concurrent flags survive.
        changed = {
            name: getattr(after, name)
            for name in ReportRecord.model_fields
            if getattr(after, name) != getattr(before, name)
        }
        stored = current.model_copy(update={**changed, "rev": before.rev + 1})
        self.records[before.report_id] = stored
        self._stream(False, _meta_item(stored))
        for event in events:
            self.add_event(before.report_id, event)

    def record_breach(self, report_id: str, deadline: str, due: str, event: ReportEvent) -> bool:
        """As the conditional transaction: the due date and the event, or neither."""
        record = self.records.get(report_id)
        if record is None or record.sla_announced.get(deadline) == due:
            return False
        announced = {**record.sla_announced, deadline: due}
        stored = record.model_copy(update={"sla_announced": announced})
        self.records[report_id] = stored
        self._stream(False, _meta_item(stored))
        self.add_event(report_id, event)
        return True

    def mark_purging(self, report_id: str, expected_rev: int) -> None:
        record = self.records[report_id]
        if record.rev != expected_rev:
            raise Conflict(f"{report_id} changed since it was assessed")
        self.records[report_id] = record.model_copy(update={"purging": True, "rev": record.rev + 1})

    def delete_report(self, report_id: str, expected_rev: int) -> None:
        if self.records[report_id].rev != expected_rev:
            raise Conflict(f"{report_id} changed while it was being purged")
        self.event_log.pop(report_id, None)
        del self.records[report_id]

    def inserted(self) -> list[Mapping[str, object]]:
        """Every item inserted so far (what the stream announces)."""
        return [change.item for change in self.changes if change.inserted]

    def _stream(self, inserted: bool, item: dict[str, object]) -> None:
        self.changes.append(TableChange(str(len(self.changes) + 1), inserted, item))


def _meta_item(record: ReportRecord) -> dict[str, object]:
    return {"PK": f"REPORT#{record.report_id}", "SK": "META", **_plain(record)}


def _event_item(report_id: str, event: ReportEvent) -> dict[str, object]:
    sort_key = f"EVENT#{event.at.isoformat()}#{event.event_id}"
    return {"PK": f"REPORT#{report_id}", "SK": sort_key, **_plain(event)}


def _plain(model: ReportRecord | ReportEvent) -> dict[str, object]:
    return dict(model.model_dump(mode="json", exclude_none=True))


def deliver(ports: Ports) -> list[str]:
    """The stream's trigger: hand the changes not yet delivered to the publisher. A failed
    change (and every one after it) is handed over again on the next call, as Lambda does.
    Returns the failed sequence numbers (empty: everything was delivered)."""
    reports = ports.reports
    assert isinstance(reports, FakeReports)
    pending = reports.changes[reports.delivered :]
    failed = publish_changes(pending, ports)
    reports.delivered = (
        next(i for i, c in enumerate(reports.changes) if c.sequence == failed[0])
        if failed
        else len(reports.changes)
    )
    return failed


class FakeNotifier:
    def __init__(self) -> None:
        self.fail = False
        self.sent: list[tuple[Mapping[str, object], Mapping[str, str]]] = []

    def publish(self, message: Mapping[str, object], attributes: Mapping[str, str]) -> None:
        if self.fail:
            raise Unavailable("sns")
        self.sent.append((dict(message), dict(attributes)))


FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def fake_ports(now: datetime = FRIDAY_NOON) -> Ports:
    return Ports(
        keys=FakeKeys(),
        blobs=FakeBlobs(),
        reports=FakeReports(),
        notifier=FakeNotifier(),
        policy=default_policy(),
        clock=lambda: now,
    )


class Clock:
    """The time the use cases read (ports.clock), moved on by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
