"""policy.toml -> Policy: the organisation's promises, validated once."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy.sections import (
    Abuse,
    Advisories,
    Bounty,
    Contacts,
    Encryption,
    Exclusion,
    Limits,
    Mail,
    Organisation,
    PolicySection,
    Product,
    Retention,
    Sla,
    Web,
)

DEFAULT_POLICY = Path(__file__).parent.parent.parent / "policy.toml"


class Policy(PolicySection):
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
