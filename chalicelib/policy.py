"""policy.toml -> Policy: the organisation's promises, and the clocks that keep them."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.errors import PolicyError

DEFAULT_POLICY = Path(__file__).with_name("policy.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Section):
    name: str = Field(min_length=1)
    contact_email: str = Field(min_length=3)


class Sla(_Section):
    ack_business_days: int = Field(default=3, ge=0, le=60)


class Limits(_Section):
    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)
    max_attachments: int = Field(default=5, ge=0, le=20)
    max_attachment_bytes: int = Field(default=4 * 1024 * 1024, ge=0)


class Product(_Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str = Field(min_length=1)


class Policy(_Section):
    organisation: Organisation
    sla: Sla = Sla()
    limits: Limits = Limits()
    products: list[Product] = Field(min_length=1)

    def product_ids(self) -> list[str]:
        """The ids a report may name, "other" included."""
        return [product.id for product in self.products] + ["other"]


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """Parse and validate a policy file; errors name the file and the field."""
    try:
        with path.open("rb") as handle:
            return Policy.model_validate(tomllib.load(handle))
    except OSError as exc:
        raise PolicyError(f"{path.name}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path.name}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"{path.name}: {problems}") from exc


@cache
def default_policy() -> Policy:
    return load_policy()


def add_business_days(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
