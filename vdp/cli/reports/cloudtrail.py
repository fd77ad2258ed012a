"""CloudTrail's record of who opened a report, merged into `vdp reports timeline`.

Every part of a report is sealed under a data key whose KMS encryption context names the
report and the part. CloudTrail records each KMS Decrypt with that context, whoever made
the call (this CLI, a script, the console), so the trail is the audit authority
(docs/audit.md). LookupEvents reads the region's event history: its last 90 days, two
requests a second. The local stack (moto) has no CloudTrail: nothing is looked up there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.failures import translated
from chalicelib.domain.errors import Unavailable
from vdp.cli.base import CliState
from vdp.cli.errors import describe_failure
from vdp.cli.output import echo_safe, iso_time

HISTORY = timedelta(days=90)  # how far back LookupEvents reaches
DECRYPT = [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]
LOCAL_NOTE = "CloudTrail records are not available on the local stack"
OLDER_NOTE = (
    "CloudTrail's event history reaches back 90 days: older openings are in the trail's "
    "log files (docs/audit.md)"
)


@dataclass(frozen=True)
class DecryptRecord:
    """One KMS Decrypt whose encryption context named the report (refused ones too)."""

    at: datetime
    actor: str  # the caller's ARN, as CloudTrail's userIdentity gives it
    part: str
    source: str  # the caller's IP address, or the AWS service that called on its behalf
    event_id: str
    error: str | None = None


class CloudTrailDecrypts:
    """LookupEvents for KMS Decrypt, kept to the records that name one report."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def of_report(self, report_id: str, since: datetime) -> list[DecryptRecord]:
        """The report's Decrypt records from `since` on, oldest first."""
        with translated("cloudtrail"):
            pages = self._client.get_paginator("lookup_events").paginate(
                LookupAttributes=DECRYPT, StartTime=since
            )
            events = [event for page in pages for event in page.get("Events", [])]
        return sorted(decrypts_of(report_id, events), key=lambda record: record.at)


def decrypts_of(report_id: str, events: Iterable[dict[str, Any]]) -> Iterator[DecryptRecord]:
    """The records among LookupEvents' events whose encryption context names the report."""
    for event in events:
        try:
            record = json.loads(event["CloudTrailEvent"])
            context = (record.get("requestParameters") or {}).get("encryptionContext") or {}
            if context.get("report_id") == report_id:
                yield _decrypt_record(record, context)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:  # not CloudTrail's
            raise Unavailable("cloudtrail") from exc


def _decrypt_record(record: dict[str, Any], context: dict[str, str]) -> DecryptRecord:
    identity = record.get("userIdentity") or {}
    return DecryptRecord(
        at=_aware(datetime.fromisoformat(record["eventTime"])),
        actor=str(identity.get("arn") or identity.get("type") or "unknown"),
        part=str(context.get("part", "-")),
        source=str(identity.get("invokedBy") or record.get("sourceIPAddress") or "-"),
        event_id=str(record.get("eventID", "-")),
        error=record.get("errorCode"),
    )


def with_cloudtrail(
    state: CliState, report_id: str, created: datetime, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """vdp's timeline rows and CloudTrail's Decrypt records of the report, in time order.

    Where CloudTrail cannot be read (the local stack, a refused LookupEvents) a line on
    standard error says so and vdp's own rows stand alone."""
    from chalicelib import bootstrap

    if state.local:
        echo_safe(LOCAL_NOTE, err=True)
        return merged(rows, [])
    oldest = datetime.now(UTC) - HISTORY
    if _aware(created) < oldest:
        echo_safe(OLDER_NOTE, err=True)
    try:
        trail = CloudTrailDecrypts(bootstrap.client(state.settings(), "cloudtrail"))
        records = trail.of_report(report_id, max(_aware(created), oldest))
    except Unavailable as exc:
        echo_safe(f"CloudTrail records not shown: {describe_failure(exc)}", err=True)
        records = []
    return merged(rows, records)


def merged(rows: list[dict[str, Any]], records: list[DecryptRecord]) -> list[dict[str, Any]]:
    """One list in time order, each row marked as vdp's event or CloudTrail's record;
    at the same time vdp's event comes first (it is written before the decryption)."""
    ours = [{**row, "record": "vdp"} for row in rows]
    theirs = [_row(record) for record in records]
    return sorted([*ours, *theirs], key=lambda row: _moment(row["at"]))


def _row(record: DecryptRecord) -> dict[str, Any]:
    refused = f", refused: {record.error}" if record.error else ""
    return {
        "at": iso_time(record.at),
        "record": "cloudtrail",
        "kind": "kms_decrypt",
        "actor": record.actor,
        "part": record.part,
        "source": record.source,
        "error": record.error,
        "event_id": record.event_id,
        "detail": f"part {record.part} from {record.source}{refused}",
    }


def _moment(text: str) -> datetime:
    return _aware(datetime.fromisoformat(text))


def _aware(moment: datetime) -> datetime:
    """vdp's times are UTC; one without a zone is read as UTC rather than not compared."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
