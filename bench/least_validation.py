"""The least validation of the sample report with this project's libraries (cold_start's
stack children): as chalicelib.domain.report.models checks it, with nothing else of vdp's."""

from __future__ import annotations

from typing import Annotated, Any, Literal


def validate(body: str, *, email_validator: bool = True) -> None:
    """The sample report through the smallest models that check what ours check.

    For the fields the sample uses: chalicelib.domain.report.models' types and limits, strict JSON
    types, trimmed strings, blank optional fields as absent, unknown fields refused,
    the policy accepted, the email through email-validator (or, for the comparison,
    only its length). Left out: the policy's product list, CVSS, attachments, custom
    messages -- all cheaper for this child than for the app, never dearer.
    """
    from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

    def normalized(value: str) -> str:
        from email_validator import validate_email

        return validate_email(value, check_deliverability=False).normalized

    class Strict(BaseModel):
        model_config = ConfigDict(
            strict=True, extra="forbid", str_strip_whitespace=True, frozen=True
        )

        @field_validator("*", mode="before")
        @classmethod
        def _blank_is_absent(cls, value: Any) -> Any:
            return None if isinstance(value, str) and not value.strip() else value

    Email = Annotated[str, Field(max_length=254), AfterValidator(normalized)]

    class Reporter(Strict):
        name: str | None = Field(default=None, max_length=200)
        email: (Email if email_validator else Annotated[str, Field(max_length=254)]) | None = None

    class Credit(Strict):
        wants_credit: bool
        name: str | None = Field(default=None, max_length=100)

    class Report(Strict):
        title: str = Field(min_length=5, max_length=200)
        description: str = Field(min_length=20, max_length=50_000)
        steps_to_reproduce: str | None = Field(default=None, max_length=50_000)
        impact: str | None = Field(default=None, max_length=20_000)
        product: str = Field(min_length=1, max_length=64)
        version: str | None = Field(default=None, max_length=64)
        severity: Literal["critical", "high", "medium", "low", "none", "unknown"] | None = None
        reporter: Reporter | None = None
        credit: Credit | None = None
        bounty_interest: bool = False
        policy_accepted: Literal[True]

    Report.model_validate_json(body)


def read_policy_and_check_version(policy_file: str, version: str) -> bool | None:
    """The least an intake must do with the two libraries the app adds for a report that
    names a version: read the policy file (tomllib) and check the version against the
    product's ranges (packaging), as chalicelib.domain.report.flags does."""
    import tomllib

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    with open(policy_file, "rb") as handle:
        policy = tomllib.load(handle)
    parsed = Version(version)
    for product in policy["products"]:
        for entry in product.get("versions", []):
            if SpecifierSet(entry["range"]).contains(parsed, prereleases=True):
                return bool(entry["supported"])
    return None
