"""Pydantic v2 models of what a reporter submits (see records.py for what is stored)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from chalicelib.domain.openpgp import ARMORED_MESSAGE, armored_size, is_message, message_problem
from chalicelib.domain.report.scoring import score_vector
from chalicelib.domain.report.strict import StrictInput, display_name, refused

PGP_ENCRYPTED = "application/pgp-encrypted"
TEXT_LIMITS = {"description": 50_000, "steps_to_reproduce": 50_000, "impact": 20_000}
PGP_OVERHEAD = 4096  # bytes an encrypted file may add: session keys (RSA-4096 too), headers
# A text's limit for a message encrypted to the team's key: the most bytes its plain limit
# can take (4 a character, UTF-8's most, as if compression gained nothing; CJK text keeps
# about 1.5) plus PGP_OVERHEAD for the packets, armored: description and steps 281,144
# characters, impact 116,144. Text within its plain limit always fits once encrypted.
ARMORED_LIMITS = {name: armored_size(4 * n + PGP_OVERHEAD) for name, n in TEXT_LIMITS.items()}
ARMOR_PREFIX = ARMORED_MESSAGE.encode()
VERSION_GRAMMAR = r"^[A-Za-z0-9.+_~-]{1,64}$"

Severity = Literal["critical", "high", "medium", "low", "none", "unknown"]


@dataclass(frozen=True)
class IntakeRules:
    """The parts of the policy that validation needs, passed as pydantic context."""

    products: tuple[str, ...]
    max_attachments: int
    max_attachment_bytes: int
    team_key: str = ""  # armored: encrypted fields and files must be addressed to it


class Reporter(StrictInput):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    pgp_key: str | None = Field(default=None, max_length=100_000)
    # Mail about this report to `email` (received, acknowledged, replies, status, disclosure).
    email_updates: bool = True

    def anonymous(self) -> bool:
        """Nothing that names or reaches the reporter (a ticked mail box alone is not)."""
        return not (self.name or self.email or self.pgp_key)

    @field_validator("email")
    @classmethod
    def _deliverable_shape(cls, value: str | None) -> str | None:
        # email-validator's own messages quote the input, so ours is fixed.
        from email_validator import EmailNotValidError, validate_email

        if value is None:
            return None
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise refused("invalid_email") from None

    _name = field_validator("name")(display_name)

    @field_validator("pgp_key")
    @classmethod
    def _armored(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----"):
            raise refused("not_armored_key")
        return value


class Credit(StrictInput):
    wants_credit: bool
    name: str | None = Field(default=None, max_length=100)

    _name = field_validator("name")(display_name)


class Attachment(StrictInput):
    filename: str = Field(min_length=1, max_length=255)
    content_type: Annotated[
        str,
        StringConstraints(max_length=127, pattern=r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$"),
    ] = "application/octet-stream"
    data: bytes

    def encrypted(self) -> bool:
        """An OpenPGP message, as the form's script sends every file it encrypted."""
        return self.content_type == PGP_ENCRYPTED or self.data.lstrip()[:27] == ARMOR_PREFIX

    @field_validator("data", mode="before")
    @classmethod
    def _decode_base64(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise refused("not_base64") from None
        return value


class ReportSubmission(StrictInput):
    title: str = Field(min_length=5, max_length=200)
    # Plain text up to TEXT_LIMITS, a message to the team's key up to ARMORED_LIMITS.
    description: str = Field(min_length=20, max_length=ARMORED_LIMITS["description"])
    steps_to_reproduce: str | None = Field(
        default=None, max_length=ARMORED_LIMITS["steps_to_reproduce"]
    )
    impact: str | None = Field(default=None, max_length=ARMORED_LIMITS["impact"])
    product: str = Field(min_length=1, max_length=64)
    # Stored in the clear as metadata: a version and nothing else (no markup, no controls).
    version: str | None = Field(default=None, max_length=64, pattern=VERSION_GRAMMAR)
    severity: Severity | None = None
    cvss_vector: str | None = Field(default=None, max_length=200)
    reporter: Reporter | None = None
    credit: Credit | None = None
    bounty_interest: bool = False
    policy_accepted: bool
    attachments: list[Attachment] = Field(default=[])
    website: str | None = Field(default=None, description="Honeypot: leave empty.")

    @field_validator("description", "steps_to_reproduce", "impact", mode="before")
    @classmethod
    def _encrypted_to_us(cls, value: Any, info: ValidationInfo) -> Any:
        # Before max_length, so that plain text is told its own limit, and an encrypted
        # text its armored one. Encrypted in the browser (or by hand): only a message the
        # team can open is kept.
        name, text = str(info.field_name), value.strip() if isinstance(value, str) else ""
        if not is_message(text):
            if len(text) > TEXT_LIMITS[name]:
                raise refused("text_too_long", limit=TEXT_LIMITS[name])
            return value
        if len(text) > ARMORED_LIMITS[name]:
            raise refused("pgp_too_long", limit=ARMORED_LIMITS[name])
        rules = _rules(info)
        problem = message_problem(text.encode(), rules.team_key) if rules and rules.team_key else ""
        if problem:
            raise refused(problem)
        return value

    @field_validator("attachments")
    @classmethod
    def _encrypted_files_to_us(
        cls, value: list[Attachment], info: ValidationInfo
    ) -> list[Attachment]:
        rules = _rules(info)
        team_key = rules.team_key if rules else ""
        for item in value if team_key else []:
            if item.encrypted():
                problem = message_problem(item.data, team_key)
                if problem:
                    raise refused(problem)
        return value

    def encrypted(self) -> bool:
        """Whether any content field or file is an OpenPGP message (the title never is)."""
        texts = (self.description, self.steps_to_reproduce or "", self.impact or "")
        return any(is_message(text) for text in texts) or any(
            item.encrypted() for item in self.attachments
        )

    @field_validator("reporter")
    @classmethod
    def _anonymous_is_none(cls, value: Reporter | None) -> Reporter | None:
        # A form's "email me" box, ticked by default, does not make a reporter known.
        return None if value is None or value.anonymous() else value

    @field_validator("credit")
    @classmethod
    def _credit_needs_a_reporter(cls, value: Credit | None, info: ValidationInfo) -> Credit | None:
        # Anonymous reports are never credited: a tick (or a handle) there would be a
        # promise the team cannot keep. (A reporter whose fields failed is not anonymous.)
        anonymous = "reporter" in info.data and info.data["reporter"] is None
        if value is not None and value.wants_credit and anonymous:
            raise refused("anonymous_credit")
        return value

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str, info: ValidationInfo) -> str:
        rules = _rules(info)
        if rules and value not in rules.products:
            raise refused("unknown_product")
        return value

    @field_validator("cvss_vector")
    @classmethod
    def _scorable(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                score_vector(value)
            except ValueError:
                raise refused("invalid_cvss") from None
        return value

    @field_validator("policy_accepted")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if not value:
            raise refused("policy_not_accepted")
        return value

    @field_validator("attachments", mode="before")
    @classmethod
    def _attachment_count(cls, value: Any, info: ValidationInfo) -> Any:
        # Counted before each item is validated: a list of a million would otherwise
        # cost a million validation errors (memory, and an answer too big to send).
        rules = _rules(info)
        if rules and isinstance(value, list) and len(value) > rules.max_attachments:
            raise refused("too_many_files", limit=rules.max_attachments)
        return value

    @field_validator("attachments")
    @classmethod
    def _attachment_bytes(cls, value: list[Attachment], info: ValidationInfo) -> list[Attachment]:
        rules = _rules(info)
        # An encrypted file is its bytes plus the message's packets: that much is allowed on
        # top, so a file at the limit may be encrypted in the browser.
        allowed = (rules.max_attachment_bytes if rules else 0) + sum(
            PGP_OVERHEAD for item in value if item.encrypted()
        )
        if rules and sum(len(item.data) for item in value) > allowed:
            raise refused("too_many_bytes", megabytes=f"{rules.max_attachment_bytes / 1_048_576:g}")
        return value


def _rules(info: ValidationInfo) -> IntakeRules | None:
    return info.context if isinstance(info.context, IntakeRules) else None


class FollowUp(StrictInput):
    """A reporter's follow-up message on their report (strict, like the submission)."""

    message: str = Field(min_length=1, max_length=20_000)


# No object of ours has more than about twenty fields; a body with far more (each one an
# error to list) is refused before validation, as a form with that many controls is.
MAX_KEYS = 64
TOO_MANY_KEYS = f"at most {MAX_KEYS} fields in an object or form"

# Every name a client may send (the form's too): errors repeat these and nothing else.
FIELD_NAMES = frozenset(
    name
    for model in (ReportSubmission, Reporter, Credit, Attachment, FollowUp)
    for name in model.model_fields
)
