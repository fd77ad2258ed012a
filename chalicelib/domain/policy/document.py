"""policy.toml -> Policy: the organisation's promises, validated once."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.lifecycle import TERMINAL

DEFAULT_POLICY = Path(__file__).parent.parent.parent / "policy.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Organisation(_Section):
    name: str = Field(min_length=1)
    website: str = ""
    policy_url: str = ""
    security_txt_url: str = ""
    acknowledgments_url: str = ""


class Contacts(_Section):
    email: str = Field(min_length=3)
    form_url: str = ""


class Encryption(_Section):
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


class FixDays(_Section):
    """Calendar days to fix, by the team's severity rating."""

    critical: int = Field(default=7, ge=1)
    high: int = Field(default=30, ge=1)
    medium: int = Field(default=90, ge=1)
    low: int = Field(default=180, ge=1)


class Sla(_Section):
    ack_business_days: int = Field(default=3, ge=0, le=60)
    triage_business_days: int = Field(default=10, ge=0, le=120)
    disclosure_days: int = Field(default=90, ge=1, le=730)
    fix_days: FixDays = Field(default_factory=FixDays)


class VersionRange(_Section):
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


class Product(_Section):
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


class Exclusion(_Section):
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str
    keywords: list[str] = Field(min_length=1)


class Bounty(_Section):
    enabled: bool = False
    terms: str = ""


class Web(_Section):
    allowed_origins: list[str] = Field(default=[])
    # Where the pages' "Disclosure policy" link leads; empty: organisation.policy_url.
    policy_link: str = ""


# Only closed or disclosed reports are ever purged; a report still in progress never is.
RETAINED = (*sorted(TERMINAL), "disclosed")


class Retention(_Section):
    grace_days: int = Field(default=30, ge=0)
    days: dict[str, Annotated[int, Field(ge=1)]] = Field(default={})

    @field_validator("days")
    @classmethod
    def _closed_statuses(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(RETAINED))
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: only {', '.join(RETAINED)} are purged")
        return value


class Abuse(_Section):
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


class Limits(_Section):
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    max_attachments: int = Field(default=5, ge=0, le=20)
    max_attachment_bytes: int = Field(default=4 * 1024 * 1024, ge=0)


class Mail(_Section):
    """Mail with reporters: what vdp sends as, and what a mail report gets by default."""

    enabled: bool = True
    # The sender of every mail to reporters; empty: contacts.email.
    from_address: str = ""
    # Replies to a report's mails go to <local>+<REPORT-ID>@<reply_domain>; empty: the
    # domain of the sender address.
    reply_domain: str = ""
    # A mail report names no product: it is filed under this one.
    default_product: str = "other"


class Advisories(_Section):
    """Publishing advisories: the database prefix OSV assigned to the organisation (OSV ids
    are <prefix>-<report id>; docs/advisories.md) and the https folder CSAF documents are
    served from (a document's canonical URL is <csaf_base_url>/<year>/<file>.json)."""

    # An assigned prefix (letters, digits, dashes), or x_<name>: the schema's own mark of
    # a local database, whose ids OSV.dev does not aggregate.
    osv_prefix: str = Field(
        default="", pattern=r"^(x_[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*)?$"
    )
    csaf_base_url: str = Field(default="", pattern=r"^(https://\S+[^/])?$")


class Policy(_Section):
    organisation: Organisation
    contacts: Contacts
    encryption: Encryption = Field(default_factory=Encryption)
    # Languages reports may be written in; the pages and mails speak each of them.
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    holidays_country: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    sla: Sla = Field(default_factory=Sla)
    products: list[Product] = Field(min_length=1)
    exclusions: list[Exclusion] = Field(default=[])
    bounty: Bounty = Field(default_factory=Bounty)
    safe_harbor: str = ""
    web: Web = Field(default_factory=Web)
    retention: Retention = Field(default_factory=Retention)
    limits: Limits = Field(default_factory=Limits)
    abuse: Abuse = Field(default_factory=Abuse)
    mail: Mail = Field(default_factory=Mail)
    advisories: Advisories = Field(default_factory=Advisories)

    @field_validator("languages")
    @classmethod
    def _spoken(cls, value: list[str]) -> list[str]:
        from chalicelib.domain.language import available

        missing = [code for code in value if code not in available()]
        if missing:
            raise ValueError(
                f"no compiled catalog for {', '.join(missing)} (chalicelib/locales/<language>/"
                "LC_MESSAGES/messages.po, compiled by `make catalogs`)"
            )
        return value

    @field_validator("holidays_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        from chalicelib.domain.policy.calendar import supported_country

        if supported_country(value) is False:
            raise ValueError(f"no public holidays are known for {value!r}")
        return value

    def product_ids(self) -> list[str]:
        """The ids a report may name, "other" included."""
        return [product.id for product in self.products] + ["other"]

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def sender(self) -> str:
        """The address mail to reporters comes from (and replies go back to)."""
        return self.mail.from_address or self.contacts.email

    def reply_address(self, report_id: str) -> str:
        """The plus-address a reporter's reply about one report goes to."""
        local, _, domain = self.sender().partition("@")
        return f"{local.split('+')[0]}+{report_id}@{self.mail.reply_domain or domain}"


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """Parse and validate a policy file; errors name the file and the field."""
    try:
        with path.open("rb") as handle:
            return _with_team_key(Policy.model_validate(tomllib.load(handle)), path)
    except OSError as exc:
        raise PolicyError(f"{path.name}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'] if part != '[key]')}: {err['msg']}"
            for err in exc.errors()
        )
        raise PolicyError(f"{path.name}: {problems}") from exc


def _with_team_key(policy: Policy, path: Path) -> Policy:
    """Read the team's key file and check it: the policy does not load with a key that is
    not the one its fingerprint names, or that cannot encrypt."""
    from chalicelib.domain.openpgp import team_key_problem

    settings = policy.encryption
    if not settings.pgp_key_file:
        return policy
    name = settings.pgp_key_file
    # Beside the policy file; a copy of the shipped policy elsewhere also finds the key
    # shipped beside the original (the fingerprint check below still decides).
    found = [folder / name for folder in (path.parent, DEFAULT_POLICY.parent)]
    try:
        armored = next((p for p in found if p.is_file()), found[0]).read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise PolicyError(f"{path.name}: encryption.pgp_key_file {name}: cannot read it") from exc
    if not settings.pgp_fingerprint:
        raise PolicyError(f"{path.name}: encryption.pgp_key_file needs pgp_fingerprint")
    problem = team_key_problem(armored, settings.pgp_fingerprint)
    if problem:
        raise PolicyError(f"{path.name}: encryption.pgp_key_file {name} {problem}")
    encryption = settings.model_copy(update={"pgp_key": armored})
    return policy.model_copy(update={"encryption": encryption})


@cache
def default_policy() -> Policy:
    return load_policy()
