"""A reporter submits a report: validated, encrypted, stored once, announced. No HTTP, no boto3."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from chalicelib.domain import language
from chalicelib.domain.errors import (
    AlreadyExists,
    Unavailable,
    ValidationFailed,
)
from chalicelib.domain.policy.calendar import add_business_days
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.receipts import (
    hash_receipt,
    new_receipt,
    receipt_lines,
    status_link,
)
from chalicelib.domain.report import sla
from chalicelib.domain.report.flags import flags_for, version_supported
from chalicelib.domain.report.models import IntakeRules, ReportSubmission
from chalicelib.domain.report.records import Accepted, Decoy, ReportRecord
from chalicelib.domain.report.scoring import score_vector
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter import abuse, idempotency
from chalicelib.usecases.reporter.wording import field_problems

log = logging.getLogger(__name__)
DECOY_DAYS = 30  # how long a honeypot's receipt keeps opening a status page
_ID_ATTEMPTS = 3  # 40-bit ids: a second collision in a row is practically impossible


def submit_report(
    fields: Mapping[str, Any],
    ports: Ports,
    *,
    base_url: str,
    address: str | None = None,
    idempotency_key: str | None = None,
    proof: str | None = None,
    by_mail: bool = False,
) -> Accepted:
    """Validate, encrypt and store a report; the table's stream then notifies the team.

    `address` is the client's address as the gateway saw it; only its pseudonyms are used:
    the daily one for rate limits, the stable one as the scope of an `idempotency_key`
    (a retry returns the first answer). `proof` is a solved proof-of-work challenge,
    needed when the policy says so (never for a mailed report, `by_mail`).
    """
    source, client = abuse.pseudonyms(ports, address, ports.clock())
    key = idempotency.scoped_key(idempotency_key, client) if idempotency_key else None
    submission = parse_submission(fields, ports.policy)

    def store_once() -> Accepted:
        abuse.admit_report(ports, source, proof, ports.clock(), by_mail=by_mail)
        if submission.website:  # the honeypot: answered as a report is, nothing kept or sent
            return _decoy(ports, base_url, flags_for(submission, ports.policy))
        return _store_new(submission, ports, base_url, by_mail)

    if key is None or ports.idempotency is None:
        return store_once()
    digest = idempotency.fingerprint(fields)
    return idempotency.once(ports.idempotency, ports, key, digest, store_once)


def _store_new(
    submission: ReportSubmission, ports: Ports, base_url: str, by_mail: bool
) -> Accepted:
    for _ in range(_ID_ATTEMPTS):
        receipt = new_receipt()
        record = _new_record(submission, ports, ports.new_report_id(), receipt)
        link = status_link(base_url, record.report_id, receipt)
        try:
            _store(submission, record, ports, _contact(submission, ports, receipt, link, by_mail))
            break
        except AlreadyExists:
            log.warning("report id collision; drawing another id")
    else:
        raise Unavailable("ids")
    # No publishing here: the inserted item is the outbox (see usecases/events.py).
    return _accepted(record, receipt, base_url)


def parse_submission(fields: Mapping[str, Any], policy: Policy) -> ReportSubmission:
    rules = IntakeRules(
        products=tuple(policy.product_ids()),
        max_attachments=policy.limits.max_attachments,
        max_attachment_bytes=policy.limits.max_attachment_bytes,
        team_key=policy.encryption.pgp_key,
    )
    try:
        return ReportSubmission.model_validate(fields, context=rules)
    except ValidationError as exc:
        raise ValidationFailed(field_problems(exc)) from None


def _store(
    submission: ReportSubmission,
    record: ReportRecord,
    ports: Ports,
    contact: dict[str, Any] | None,
) -> None:
    # Write order: every encrypted part, then the metadata (a conditional put).
    # Until the metadata exists nothing points at the parts, so a failure in
    # between leaves only an orphan for the sweep, never a half-visible report.
    report_id = record.report_id
    content = submission.model_dump(mode="json", exclude={"attachments", "website", "reporter"})
    parts.store(ports, report_id, parts.REPORT, parts.report_key(report_id), _json(content))
    if contact is not None:
        # Its own part, which the mailer may open without being able to read the report.
        key = parts.contact_key(report_id)
        parts.store(ports, report_id, parts.CONTACT, key, _json(contact))
    for index, item in enumerate(submission.attachments):
        packed = parts.pack_file(item.filename, item.content_type, item.data)
        key = parts.attachment_key(report_id, index)
        parts.store(ports, report_id, parts.attachment_part(index), key, packed)
    ports.reports.create(record)


def _contact(
    submission: ReportSubmission, ports: Ports, receipt: str, link: str, by_mail: bool
) -> dict[str, Any] | None:
    """The reporter's contact part. With a key, the receipt and its status link sealed to
    that key (the mailer, which opens this part, never sees the receipt itself; only a
    mail encrypted to the key carries the block). `by_mail`: no receipt was shown."""
    if submission.reporter is None:
        return None
    contact = submission.reporter.model_dump(mode="json", exclude_none=True)
    if by_mail:
        contact["by_mail"] = True
    key = submission.reporter.pgp_key
    if key and ports.encryptor is not None:
        text = "\n".join(receipt_lines(receipt, link)) + "\n"
        try:
            contact["receipt_block"] = ports.encryptor.encrypt(key, text.encode())
        except ValueError:  # a key that cannot encrypt: its mail goes out plain anyway
            log.info("reporter's key cannot encrypt; no sealed receipt")
    return contact


def _new_record(
    submission: ReportSubmission, ports: Ports, report_id: str, receipt: str
) -> ReportRecord:
    now = ports.clock()
    cvss = score_vector(submission.cvss_vector) if submission.cvss_vector else None
    record = ReportRecord(
        report_id=report_id,
        status="received",
        created_at=now,
        updated_at=now,
        product=submission.product,
        version=submission.version,
        # The reporter's estimate, else their vector's rating: subscribers filter on it.
        severity=_estimate(submission.severity, cvss.rating if cvss else None),
        cvss_vector=cvss.vector if cvss else None,
        cvss_score=cvss.score if cvss else None,
        acknowledge_by=acknowledge_by(ports.policy, now.date()),
        receipt_hash=hash_receipt(report_id, receipt),
        supported=version_supported(ports.policy, submission.product, submission.version)
        if submission.version
        else None,
        attachment_count=len(submission.attachments),
        bounty_interest=submission.bounty_interest,
        flags=flags_for(submission, ports.policy),
        language=language.current(),
    )
    # Every clock starts at receipt: store the ones already known.
    return sla.with_due_dates(record, ports.policy)


def acknowledge_by(policy: Policy, received: date) -> date:
    """The policy's acknowledgment promise, in business days of its country."""
    return add_business_days(received, policy.sla.ack_business_days, policy.holidays_country)


def _accepted(record: ReportRecord, receipt: str, base_url: str) -> Accepted:
    return _answer(record.report_id, receipt, record.acknowledge_by, base_url, record.flags)


def _answer(
    report_id: str, receipt: str, acknowledge_by: date, base_url: str, flags: list[str]
) -> Accepted:
    return Accepted(
        report_id=report_id,
        receipt=receipt,
        status="received",
        acknowledge_by=acknowledge_by,
        status_url=f"{base_url}/status#{report_id}.{receipt}",
        flags=flags,
    )


def _estimate(reporter_says: str | None, vector_rating: str | None) -> str:
    """The reporter's estimate; "unknown" or none yields to their vector's rating."""
    if reporter_says and reporter_says != "unknown":
        return reporter_says
    return vector_rating or "unknown"


def _decoy(ports: Ports, base_url: str, flags: list[str]) -> Accepted:
    """A normal-looking answer for a bot that filled the honeypot: nothing of the submission
    is stored or sent. It went through the same validation, limits and Idempotency-Key as a
    report (a retry gets this answer again), and its receipt opens a status page like a
    received report's, from a decoy item that holds no content and expires (DECOY_DAYS)."""
    log.info("honeypot filled; submission dropped")
    now, report_id, receipt = ports.clock(), ports.new_report_id(), new_receipt()
    ack_date = acknowledge_by(ports.policy, now.date())
    receipt_hash = hash_receipt(report_id, receipt)
    decoy = Decoy(report_id=report_id, receipt_hash=receipt_hash, created_at=now,
                  acknowledge_by=ack_date)  # fmt: skip
    try:
        ports.reports.add_decoy(decoy, now + timedelta(days=DECOY_DAYS))
    except AlreadyExists:  # an id taken: the decoy's receipt just opens nothing
        log.info("decoy id taken")
    return _answer(report_id, receipt, ack_date, base_url, flags)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
