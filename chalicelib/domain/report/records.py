"""What is stored (the metadata record, its events, a decoy), the 201 answer with its
receipt, and what a receipt check reads: no title, description, contact or credit name.
What a reporter's client reads (the status view, error bodies) is in views.py."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.lifecycle import Status
from chalicelib.domain.report.models import Severity


class ReportRecord(BaseModel):
    """The metadata row in DynamoDB: never a title, description, contact or credit name."""

    model_config = ConfigDict(defer_build=True)

    report_id: str
    status: Status
    created_at: datetime
    updated_at: datetime
    product: str
    version: str | None = None
    supported: bool | None = None
    severity: Severity = "unknown"
    cvss_vector: str | None = None
    cvss_score: float | None = None
    acknowledge_by: date
    receipt_hash: str
    attachment_count: int = 0
    bounty_interest: bool = False
    flags: list[str] = Field(default=[])
    rev: int = 1
    # The team's side: assessment, assignment and the SLA due dates as they
    # become known. `severity` becomes the team's CVSS rating once scored; the
    # reporter's own estimate stays in the encrypted report.
    cvss_rating: Severity | None = None
    assignee: str | None = None
    duplicate_of: str | None = None
    triage_by: date | None = None
    fix_by: date | None = None
    disclose_by: date | None = None
    # Deadline name -> the due date whose breach was announced (each announced once).
    sla_announced: dict[str, str] = Field(default={})
    # Credits and advisories: when the reporter's credit was published (the
    # name itself stays in the encrypted report), and the team's public advisory facts.
    credit_published_at: datetime | None = None
    cwe: str | None = None
    cwe_name: str | None = None
    affected: str | None = None
    fixed_in: str | None = None
    # The advisory's public ids: CVE ids (CSAF gives each its own vulnerability item) and
    # other databases' ids for the same issue, such as GHSA-… (OSV `aliases`).
    cve_ids: list[str] = Field(default=[])
    aliases: list[str] = Field(default=[])
    # With the offset the team gave (never a naive time).
    disclosed_at: datetime | None = None
    # An embargo: the disclosure the team planned for this date (usecases/team/embargo.py).
    disclosure_planned: datetime | None = None
    # The consented credit, sealed when the embargo was planned, goes public with it.
    credit_at_disclosure: bool = False
    # Set by the retention purge before it deletes anything (see retention.py).
    purging: bool = False
    # The reporter asked for no more mail about this report (one-click unsubscribe).
    mail_opt_out: bool = False
    # The language the reporter used (one of the policy's): their mails are written in it.
    language: str = "en"


class ReportEvent(BaseModel):
    """An entry in a report's history; only `public` ones reach the reporter."""

    model_config = ConfigDict(defer_build=True)

    event_id: str = Field(default_factory=lambda: secrets.token_hex(4))
    at: datetime
    kind: Literal[
        "status",
        "reply",
        "message",
        "note",
        "decrypted",
        "assigned",
        "severity",
        "credit",
        "advisory",
        "sla_breached",
        "unsubscribed",
        "embargo_scheduled",
        "embargo_moved",
        "embargo_cancelled",
    ]
    public: bool
    status: Status | None = None
    # A status change's status before it (the team's notification names both).
    previous: Status | None = None
    actor: str | None = None
    part: str | None = None
    # Content-free detail for the team's timeline: an assignee, a CVSS vector, an original id.
    detail: str | None = None
    # A breached SLA deadline (its name, as in the policy's [sla]) and the date it was due.
    deadline: str | None = None
    due: date | None = None
    # An embargo's planned disclosure: the new date, or the one cancelled.
    planned: datetime | None = None


class Accepted(BaseModel):
    """The 201 answer to a submission: the receipt appears here once and never again."""

    model_config = ConfigDict(defer_build=True)

    report_id: str
    receipt: str
    status: Status
    acknowledge_by: date
    status_url: str
    flags: list[str]


class Decoy(BaseModel):
    """What a honeypot's answer leaves behind (SK=DECOY, with a TTL): enough for its receipt
    to open a status page like a received report's. No content, no contact, no status."""

    model_config = ConfigDict(defer_build=True)

    report_id: str
    receipt_hash: str
    created_at: datetime
    acknowledge_by: date


class ReceiptCheck(BaseModel):
    """The little a receipt check reads of a report id: one read, whether or not the id
    exists, with no more data for a report than for a decoy or for nothing."""

    model_config = ConfigDict(defer_build=True)

    receipt_hash: str | None = None
    purging: bool = False
    decoy: Decoy | None = None


@dataclass(frozen=True)
class BlobVersion:
    """One version (or delete marker) of a stored object."""

    key: str
    version_id: str
    modified: datetime


@dataclass(frozen=True)
class TableChange:
    """One record of the table's stream: the item as written (plain values) and whether
    the write inserted it (the outbox announces inserts only)."""

    sequence: str
    inserted: bool
    item: Mapping[str, Any]


@dataclass(frozen=True)
class Inserted:
    """An inserted report item, or an event item with its report as it is now."""

    event_id: str  # the same on every delivery of the item
    record: ReportRecord
    event: ReportEvent | None = None
