"""In-memory stand-ins for the ports: real encryption, no AWS."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from chalicelib.domain.crypto import Context, DataKey
from chalicelib.domain.errors import AlreadyExists, Conflict, NotFound, Unavailable
from chalicelib.domain.policy import default_policy
from chalicelib.domain.records import BlobVersion, ReportEvent, ReportRecord
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
    def __init__(self) -> None:
        self.fail = False
        self.records: dict[str, ReportRecord] = {}
        self.event_log: dict[str, list[ReportEvent]] = {}
        self.leases: dict[tuple[str, str], datetime] = {}

    def create(self, record: ReportRecord) -> None:
        if self.fail:
            raise Unavailable("dynamodb")
        if record.report_id in self.records:
            raise AlreadyExists(record.report_id)
        self.records[record.report_id] = record

    def get(self, report_id: str) -> ReportRecord | None:
        return self.records.get(report_id)

    def events(self, report_id: str) -> list[ReportEvent]:
        return self.event_log.get(report_id, [])

    def add_event(self, report_id: str, event: ReportEvent) -> None:
        self.event_log.setdefault(report_id, []).append(event)

    def mark_notified(self, report_id: str) -> None:
        self.records[report_id] = self.records[report_id].model_copy(update={"notified": True})
        self.leases.pop((report_id, "notify"), None)

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
        self.records[before.report_id] = current.model_copy(
            update={**changed, "rev": before.rev + 1}
        )
        self.event_log.setdefault(before.report_id, []).extend(events)

    def claim_deadline(
        self, report_id: str, deadline: str, due: str, now: datetime, lease_until: datetime
    ) -> bool:
        record = self.records.get(report_id)
        lease = self.leases.get((report_id, deadline))
        if record is None or record.sla_announced.get(deadline) == due or (lease and lease > now):
            return False
        self.leases[(report_id, deadline)] = lease_until
        return True

    def confirm_deadline(self, report_id: str, deadline: str, due: str) -> None:
        record = self.records[report_id]
        announced = {**record.sla_announced, deadline: due}
        self.records[report_id] = record.model_copy(update={"sla_announced": announced})
        self.leases.pop((report_id, deadline), None)

    def release_deadline(self, report_id: str, deadline: str) -> None:
        self.leases.pop((report_id, deadline), None)

    def unnotified(self, created_before: datetime) -> Iterator[ReportRecord]:
        for record in list(self.records.values()):
            if record.status == "received" and not record.notified:
                if record.created_at < created_before:
                    yield record

    def claim_notification(self, report_id: str, now: datetime, lease_until: datetime) -> bool:
        lease = self.leases.get((report_id, "notify"))
        if self.records[report_id].notified or (lease and lease > now):
            return False
        self.leases[(report_id, "notify")] = lease_until
        return True

    def release_notification(self, report_id: str) -> None:
        self.leases.pop((report_id, "notify"), None)

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
