"""The security team's read-back: list the queue, decrypt a report. No HTTP, no boto3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib import parts
from chalicelib.errors import NotFound
from chalicelib.models import STATUSES, ReportRecord
from chalicelib.ports import Ports


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DecryptedReport:
    record: ReportRecord
    content: dict[str, Any]
    attachments: list[AttachmentFile] = field(default_factory=list)


def list_reports(ports: Ports, statuses: list[str] | None = None) -> Iterator[ReportRecord]:
    """Reports by status through the status index (never a table scan)."""
    for status in statuses or STATUSES:
        yield from ports.reports.by_status(status)


def show_report(ports: Ports, report_id: str) -> DecryptedReport:
    """Decrypt the report and its attachments (needs the team's kms:Decrypt)."""
    record = ports.reports.get(report_id)
    if record is None:
        raise NotFound(f"no report {report_id}")
    content = json.loads(parts.load(ports, report_id, parts.REPORT, parts.report_key(report_id)))
    attachments = []
    for index in range(record.attachment_count):
        packed = parts.load(
            ports, report_id, parts.attachment_part(index), parts.attachment_key(report_id, index)
        )
        attachments.append(AttachmentFile(*parts.unpack_file(packed)))
    return DecryptedReport(record=record, content=content, attachments=attachments)
