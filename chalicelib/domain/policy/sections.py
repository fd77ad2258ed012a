"""The sections of policy.toml: each one's fields, defaults and checks (document.py puts
them together into the Policy)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.domain.lifecycle import TERMINAL


class PolicySection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Organisation(PolicySection):
    name: str = Field(min_length=1)
    website: str = ""
    policy_url: str = ""
    security_txt_url: str = ""
    acknowledgments_url: str = ""


class Contacts(PolicySection):
    email: str = Field(min_length=3)
    form_url: str = ""


class Encryption(PolicySection):
    # Published in security.txt's one-line Encryption field and on the policy page.
    pgp_key_url: str = Field(default="", pattern=r"^(https://\S+)?$")
    pgp_fingerprint: str = ""
    signing_key_id: str = ""
    # The team's armored public key, in a file beside policy.toml: the form encrypts to
    # it in the browser, and this deployment publishes it (/.well-known/pgp-key.txt).
    pgp_key_file: str = ""
    pgp_key: str = ""  # the file's text, read and checked when the policy loads

    @field_validator("pgp_key")
    @classmethod
    def _from_the_file_only(cls, value: str) -> str:
        if value:
            raise ValueError("set pgp_key_file (the key is read from that file)")
        return value

    @field_validator("pgp_fingerprint")
    @classmethod
    def _fingerprint(cls, value: str) -> str:
        if value and not re.fullmatch(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}", value.replace(" ", "")):
            raise ValueError("must be 40 (v4) or 64 (v6) hex digits, spaces allowed")
        return value

    def fingerprint_hex(self) -> str:
        return self.pgp_fingerprint.replace(" ", "").lower()

    def fingerprint_grouped(self) -> str:
        """As people compare fingerprints: upper case, in groups of four."""
        hexed = self.fingerprint_hex().upper()
        return " ".join(hexed[i : i + 4] for i in range(0, len(hexed), 4))


class FixDays(PolicySection):
    """Calendar days to fix, by the team's severity rating."""

    critical: int = Field(default=7, ge=1)
    high: int = Field(default=30, ge=1)
    medium: int = Field(default=90, ge=1)
    low: int = Field(default=180, ge=1)


class Sla(PolicySection):
    ack_business_days: int = Field(default=3, ge=0, le=60)
    triage_business_days: int = Field(default=10, ge=0, le=120)
    disclosure_days: int = Field(default=90, ge=1, le=730)
    fix_days: FixDays = Field(default_factory=FixDays)


class VersionRange(PolicySection):
    range: str
    supported: bool
    label: str = ""

    @field_validator("range")
    @classmethod
    def _specifier(cls, value: str) -> str:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            SpecifierSet(value)
        except InvalidSpecifier:
            raise ValueError("must be a version range such as '>=1.0,<2.0'") from None
        return value


class Product(PolicySection):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str = Field(min_length=1)
    versions: list[VersionRange] = Field(default=[])
    # The product as OSV names it: an ecosystem of the OSV schema's list (a suffix such as
    # "Debian:12" allowed) and the package's name there. OSV export needs both.
    osv_ecosystem: str = ""
    osv_package: str = ""

    @field_validator("osv_ecosystem")
    @classmethod
    def _osv_ecosystem(cls, value: str) -> str:
        from chalicelib.domain.policy.osv_ecosystems import ecosystem_problem

        problem = ecosystem_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _osv_pair(self) -> Product:
        if bool(self.osv_ecosystem) != bool(self.osv_package.strip()):
            raise ValueError("osv_ecosystem and osv_package are given together or not at all")
        return self


class Exclusion(PolicySection):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str
    keywords: list[str] = Field(min_length=1)


class Bounty(PolicySection):
    enabled: bool = False
    terms: str = ""


class Web(PolicySection):
    allowed_origins: list[str] = Field(default=[])
    # Where the pages' "Disclosure policy" link leads; empty: organisation.policy_url.
    policy_link: str = ""


# Only closed or disclosed reports are ever purged; a report still in progress never is.
RETAINED = (*sorted(TERMINAL), "disclosed")


class Retention(PolicySection):
    grace_days: int = Field(default=30, ge=0)
    days: dict[str, Annotated[int, Field(ge=1)]] = Field(default={})

    @field_validator("days")
    @classmethod
    def _closed_statuses(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(RETAINED))
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: only {', '.join(RETAINED)} are purged")
        return value


class Abuse(PolicySection):
    """Hourly limits per source (a salted client address) and overall."""

    reports_per_hour_per_source: int = Field(default=5, ge=1)
    reports_per_hour_global: int = Field(default=200, ge=1)
    messages_per_hour_per_source: int = Field(default=20, ge=1)
    # Also bounds the hourly counter item: one small attribute per source.
    messages_per_hour_global: int = Field(default=1000, ge=1)
    # Receipt checks that failed (wrong receipt, unknown or malformed id): past the limit
    # even those get 429, so ids cannot be probed for existence at any pace.
    failed_receipts_per_hour_per_source: int = Field(default=20, ge=1)
    failed_receipts_per_hour_global: int = Field(default=2000, ge=1)
    # Proof-of-work: off, always, or only while the hour's global count is above a level.
    proof_of_work: Literal["off", "always", "above_rate"] = "above_rate"
    proof_of_work_difficulty: int = Field(default=16, ge=1, le=32)
    proof_of_work_above_per_hour: int = Field(default=50, ge=0)
    # Without JavaScript, a form page's token passes instead, this long after the page
    # was served (once per page): time stands in for the work (docs/operations.md).
    proof_of_work_form_wait_seconds: int = Field(default=20, ge=0, le=600)


class Limits(PolicySection):
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    max_attachments: int = Field(default=5, ge=0, le=20)
    max_attachment_bytes: int = Field(default=4 * 1024 * 1024, ge=0)


class Mail(PolicySection):
    """Mail with reporters: what vdp sends as, and what a mail report gets by default."""

    enabled: bool = True
    # The sender of every mail to reporters; empty: contacts.email.
    from_address: str = ""
    # Replies to a report's mails go to <local>+<REPORT-ID>@<reply_domain>; empty: the
    # domain of the sender address.
    reply_domain: str = ""
    # A mail report names no product: it is filed under this one.
    default_product: str = "other"


class Advisories(PolicySection):
    """Publishing advisories: the database prefix OSV assigned to the organisation (OSV ids
    are <prefix>-<report id>; docs/advisories.md) and the https folder CSAF documents are
    served from (a document's canonical URL is <csaf_base_url>/<year>/<file>.json)."""

    # An assigned prefix (letters, digits, dashes), or x_<name>: the schema's own mark of
    # a local database, whose ids OSV.dev does not aggregate.
    osv_prefix: str = Field(
        default="", pattern=r"^(x_[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*)?$"
    )
    csaf_base_url: str = Field(default="", pattern=r"^(https://\S+[^/])?$")
