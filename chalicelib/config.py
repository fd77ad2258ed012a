"""Typed settings from the environment, validated once per container."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy.document import DEFAULT_POLICY


class Settings(BaseModel):
    """Resource names and endpoints; set by .chalice/config.json or CloudFormation."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    stage: str = Field(min_length=1)
    region: str | None = None  # None: boto3's own chain (e.g. the CLI user's profile)
    kms_key_id: str = Field(min_length=1)
    bucket: str = Field(min_length=3)
    table: str = Field(min_length=3)
    topic_arn: str = Field(pattern=r"^arn:aws[\w-]*:sns:")
    secret_id: str | None = None
    endpoint_url: str | None = None
    public_url: str | None = None
    policy_path: Path = DEFAULT_POLICY
    # SES's configuration set for mail to reporters (bounces and complaints come back).
    mail_configuration_set: str | None = None
    # The local stack's test keys instead of boto3's credential chain: never real
    # credentials (or a session token) against `vdp serve`.
    local_credentials: bool = False

    @field_validator("endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Checked as botocore reads it, which raises untranslated on a bad host or port.
        if value is None:
            return None
        parts = urlsplit(value)  # ValueError (an unclosed IPv6 bracket) is a refusal too
        usable = parts.scheme in ("http", "https") and parts.hostname and parts.port != 0
        if not usable or any(c.isspace() for c in value):  # .port: ValueError when > 65535
            raise ValueError("must be an http(s) URL")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        values = {
            field: next((environ[name] for name in names if environ.get(name)), None)
            for field, names in ENVIRONMENT.items()
        }
        try:
            return cls.model_validate({k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            names = ", ".join(ENVIRONMENT[str(err["loc"][0])][0] for err in exc.errors())
            raise PolicyError(f"configuration incomplete or invalid: {names}") from None


# Where each setting comes from: the first variable that is set and not empty.
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "stage": ("VDP_STAGE",),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "kms_key_id": ("VDP_KMS_KEY_ID",),
    "bucket": ("VDP_BUCKET",),
    "table": ("VDP_TABLE",),
    "topic_arn": ("VDP_TOPIC_ARN",),
    "secret_id": ("VDP_SECRET_ID",),
    "endpoint_url": ("AWS_ENDPOINT_URL",),
    "public_url": ("VDP_PUBLIC_URL",),
    "policy_path": ("VDP_POLICY_PATH",),
    "mail_configuration_set": ("VDP_MAIL_CONFIGURATION_SET",),
}


def local_settings(endpoint_url: str | None, region: str = "us-east-1") -> Settings:
    """The `local` stage's resource names, as `vdp serve` creates them."""
    try:
        return Settings(
            stage="local",
            region=region,
            kms_key_id="alias/vdp-local",
            bucket="vdp-local-reports",
            table="vdp-local",
            topic_arn=f"arn:aws:sns:{region}:123456789012:vdp-local-events",
            secret_id="vdp-local-secret",  # noqa: S106 - the secret's name, not its value
            endpoint_url=endpoint_url,
            local_credentials=True,
        )
    except ValidationError:
        raise PolicyError(
            f"AWS_ENDPOINT_URL must be a URL such as http://127.0.0.1:4566, not {endpoint_url!r}"
        ) from None


def disable_pydantic_plugins() -> None:
    """Turn pydantic's plugins off, unless PYDANTIC_DISABLE_PLUGINS is already set."""
    # Any installed package may register a plugin, and a plugin sees every value that
    # is validated, report text included. Finding plugins also reads every installed
    # package's metadata when the first model is validated, i.e. in a cold start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
