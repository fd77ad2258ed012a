"""Who holds a receipt: the one check every route a receipt opens makes first.

An unknown id, a wrong receipt and a malformed id take the same path: the same read (a
report's and a decoy's receipt hash, projected, in one call), the same constant-time
compare, and the same count against the source's hourly limit of failed checks, past
which they answer 429. So a report id cannot be probed for existence, by its answer, its
timing or its pace. A honeypot's decoy opens like a received report.
"""

from __future__ import annotations

from chalicelib.domain.errors import NotFound
from chalicelib.domain.receipts import is_report_id, normalized_report_id, verify_receipt
from chalicelib.domain.report.records import Decoy, ReportRecord
from chalicelib.domain.report.views import HistoryEntry, NextPromise, ReporterView
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter import abuse

# Crockford's base32 has no O: no report is ever filed under this id, so a malformed id is
# looked up here, at the same cost as any id that does not exist.
NEVER_AN_ID = "VDP-OOOO-OOOO"


def receipt_holder(
    report_id: str, receipt: str, ports: Ports, address: str | None = None
) -> ReportRecord | Decoy:
    """The report (or decoy) the receipt opens; NotFound for any mismatch, RateLimited
    once the source has failed too often this hour."""
    wanted = normalized_report_id(report_id)
    key = wanted if is_report_id(wanted) else NEVER_AN_ID
    check = ports.reports.receipt_check(key)
    stored = check.decoy.receipt_hash if check.decoy else check.receipt_hash
    if not verify_receipt(key, receipt, stored) or check.purging:  # purging: gone for all
        source, _client = abuse.pseudonyms(ports, address, ports.clock())
        abuse.enforce(ports, abuse.RECEIPTS, source, ports.clock())
        raise NotFound()
    if check.decoy is not None:
        return check.decoy
    record = ports.reports.get(key)
    if record is None:  # purged between the two reads
        raise NotFound()
    return record


def decoy_view(decoy: Decoy) -> ReporterView:
    """A decoy's status page: a report received and not yet acknowledged."""
    return ReporterView(
        report_id=decoy.report_id,
        status="received",
        created_at=decoy.created_at,
        acknowledge_by=decoy.acknowledge_by,
        next_promise=NextPromise(promise="acknowledge", by=decoy.acknowledge_by),
        history=[HistoryEntry(at=decoy.created_at, type="status", status="received")],
    )
