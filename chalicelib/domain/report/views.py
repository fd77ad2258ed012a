"""What a reporter's client reads: the status view and its history, the answer to a
follow-up, and the error body (records.py holds what is stored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.lifecycle import Status


class HistoryEntry(BaseModel):
    model_config = ConfigDict(defer_build=True)
    at: datetime
    type: Literal["status", "reply", "message"]
    status: Status | None = None
    message: str | None = None


class NextPromise(BaseModel):
    """The policy's next public promise on a report: acknowledge, triage, fix or disclose."""

    model_config = ConfigDict(defer_build=True)
    promise: Literal["acknowledge", "triage", "fix", "disclose"]
    by: date


class ReporterView(BaseModel):
    """What a receipt holder may see of their report."""

    model_config = ConfigDict(defer_build=True)

    report_id: str
    status: Status
    created_at: datetime
    acknowledge_by: date
    next_promise: NextPromise | None = None  # none once the report is closed or disclosed
    disclosure_planned: date | None = None  # the day the team plans to disclose it (embargo)
    # Once disclosed: the advisory's CVE ids and other databases' ids for the issue.
    cve_ids: list[str] = Field(default=[])
    aliases: list[str] = Field(default=[])
    history: list[HistoryEntry]


class MessageAccepted(BaseModel):
    """The 201 answer to a follow-up."""

    model_config = ConfigDict(defer_build=True)

    report_id: str
    message_id: str
    at: datetime


class ErrorField(BaseModel):
    model_config = ConfigDict(defer_build=True)
    field: str
    message: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(defer_build=True)
    code: str
    message: str
    fields: list[ErrorField] | None = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(defer_build=True)
    error: ErrorDetail
