"""Sample data and builders shared by the tests: submissions, records, addresses, ports.

Look here first for a report to submit, a record to store or ports to run a use case
with; the in-memory stand-ins themselves are in tests/unit/fakes.py and abuse_fakes.py.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from chalicelib.domain.report.records import ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.proof import issue, proof_key, solve
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.advisories import disclose, set_advisory
from chalicelib.usecases.team.triage import change_status
from tests.unit.abuse_fakes import FakeIdempotency, FakeLimiter, FakeProofs
from tests.unit.fakes import FRIDAY_NOON, fake_ports

# --- Submissions ------------------------------------------------------------------------

# The everyday report: contact details, a credit name and one attachment.
REPORT: dict[str, Any] = {
    "title": "IDOR on invoices",
    "description": "Changing the invoice id in /invoices/123 shows other customers' invoices.",
    "product": "example-api",
    "severity": "high",
    "policy_accepted": True,
    "reporter": {"name": "Grace", "email": "grace@example.org"},
    "credit": {"wants_credit": True, "name": "grace"},
    "attachments": [{"filename": "poc.txt", "content_type": "text/plain", "data": "cG9j"}],
}
BASE = "https://vdp.example.com"  # the intake's public address, as status links show it

# Only the required fields: what rate-limit and retry tests send again and again.
MINIMAL_REPORT: dict[str, Any] = {
    "title": "CSRF on account deletion",
    "description": "POST /account/delete accepts requests without a CSRF token.",
    "product": "example-app",
    "policy_accepted": True,
}

# A report that can become an advisory: a version, a vector, a reporter who wants credit.
ADVISORY_REPORT: dict[str, Any] = {
    "title": "Stored XSS in the comment preview",
    "description": "A comment body with <svg onload=alert(1)> runs script in the preview.",
    "product": "example-app",
    "version": "2.3.0",
    "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "policy_accepted": True,
    "reporter": {"name": "Grace Hopper", "email": "grace@example.org"},
    "credit": {"wants_credit": True, "name": "grace_h"},
}
ANONYMOUS_ADVISORY_REPORT = {
    key: value for key, value in ADVISORY_REPORT.items() if key not in ("reporter", "credit")
}
DECLINED_ADVISORY_REPORT = {
    **ADVISORY_REPORT,
    "reporter": {"name": "Ada"},
    "credit": {"wants_credit": False, "name": "ada"},
}

# What the API tests post: as JSON, and as the no-JavaScript form sends it.
API_REPORT: dict[str, Any] = {
    "title": "Path traversal in export",
    "description": "GET /export?file=../../etc/passwd returns the server's passwd file.",
    "product": "example-app",
    "version": "2.0.1",
    "severity": "critical",
    "policy_accepted": True,
    "reporter": {"name": "Linus", "email": "linus@example.org"},
}
FORM_FIELDS = {
    "title": "Path traversal in export",
    "description": "GET /export?file=../../etc/passwd returns the server's passwd file.",
    "product": "example-app",
    "reporter.name": "",
    "reporter.email": "",
    "credit.wants_credit": "",  # anonymous: credit is never asked for (it would be refused)
    "credit.name": "",
    "policy_accepted": "true",
    "website": "",
}

# A report whose texts are canaries: none may be readable at rest, in a log or a notice.
CANARY_TEXTS = {
    "title": "Account takeover via password reset token reuse",
    "description": "Reset tokens stay valid after use; token 7f9c-secret-canary logs anyone in.",
    "email": "canary-reporter@example.org",
}
CANARY_REPORT: dict[str, Any] = {
    "title": CANARY_TEXTS["title"],
    "description": CANARY_TEXTS["description"],
    "product": "example-app",
    "severity": "critical",
    "policy_accepted": True,
    "reporter": {"name": "Canary Reporter", "email": CANARY_TEXTS["email"]},
}

# --- The team ---------------------------------------------------------------------------

ANN = "arn:aws:iam::123456789012:user/ann"  # a team member, as STS names her

# --- Resources, as tests/infra/iam.py resolves the template's ARNs ------------------------

BUCKET = "arn:aws:s3:::reportbucket"
REPORT_PART = f"{BUCKET}/reports/VDP-7K3M-9QX2/report.enc"
ATTACHMENT_PART = f"{BUCKET}/reports/VDP-7K3M-9QX2/attachments/0.enc"
MESSAGE_PART = f"{BUCKET}/reports/VDP-7K3M-9QX2/messages/E1.enc"
CREDIT_PART = f"{BUCKET}/reports/VDP-7K3M-9QX2/credit.enc"
KEY = "arn:aws:kms:us-east-1:123456789012:key/reportkey"

# --- Records, and reports brought to a state ----------------------------------------------


def record(
    report_id: str = "VDP-7K3M-9QX2", status: str = "received", minute: int = 0
) -> ReportRecord:
    """A report's metadata as stored, received on Friday 2026-11-20 at 12:<minute>."""
    at = datetime(2026, 11, 20, 12, minute, tzinfo=UTC)
    return ReportRecord(
        report_id=report_id,
        status=status,
        created_at=at,
        updated_at=at,
        product="example-app",
        acknowledge_by=date(2026, 11, 25),
        receipt_hash="0" * 64,
        cvss_score=9.8,
    )


def fixed_report(ports: Ports, fields: dict[str, Any]) -> str:
    """A report submitted and moved through triage to fixed (by "alice"): its id."""
    report_id = submit_report(fields, ports, base_url=BASE).report_id
    for status in ("acknowledged", "triaged", "accepted", "fixed"):
        change_status(ports, "alice", report_id, status)
    return report_id


# --- Client addresses -------------------------------------------------------------------

SECRET = b"s" * 32  # the intake's secret: root of the address pseudonyms and proof key


def address(n: int = 0) -> str:
    """The n-th of many distinct client addresses (IPv4: each one counted on its own)."""
    return str(ipaddress.IPv4Address("198.18.0.1") + n)


CLIENT = address(0)  # the one reporter most tests need


# --- Ports ------------------------------------------------------------------------------


def guarded_ports(now: datetime = FRIDAY_NOON, *, secret: bytes = SECRET) -> Ports:
    """Fake ports with the abuse defences: rate counters, idempotency records,
    proof-of-work spending, and a secret to derive pseudonyms and the proof key from."""
    return dataclasses.replace(
        fake_ports(now),
        limiter=FakeLimiter(),
        idempotency=FakeIdempotency(),
        proofs=FakeProofs(),
        secret=lambda: secret,
    )


def solved_challenge(ports: Ports, difficulty: int) -> str:
    """A VDP-Proof value these ports accept: a challenge signed with their secret, solved."""
    assert ports.secret is not None, "ports without a secret cannot check a proof"
    challenge = issue(proof_key(ports.secret()), difficulty, ports.clock())
    return solve(challenge.token, difficulty)


# --- Advisories -------------------------------------------------------------------------

CEST = timezone(timedelta(hours=2))
DISCLOSED = datetime(2026, 12, 1, 10, 0, tzinfo=CEST)
CVES = ["CVE-2026-1234", "CVE-2026-56789"]
GHSA = "GHSA-4v8m-x2qf-9wrj"


def advisory_ready(fields: dict[str, Any], *, publish: bool, **ids: list[str]) -> tuple[Ports, str]:
    """A report fixed in 2.4.2 (affected from 2.0), disclosed now: on DISCLOSED, in CEST."""
    ports = fake_ports(now=DISCLOSED)
    report_id = fixed_report(ports, fields)
    set_advisory(ports, "alice", report_id, cwe="CWE-79", affected=">=2.0", fixed_in="2.4.2", **ids)
    if publish:
        credits.publish(ports, report_id, "alice")
    disclose(ports, "alice", report_id)
    return ports, report_id
