"""What every submitted model shares: strict input, names that display as they read, and
refusals of a named kind (usecases/reporter/wording.py words them for the reporter)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


class StrictInput(BaseModel):
    """Strict input: exact JSON types, trimmed strings, unknown fields rejected."""

    # defer_build, here and on every model: validators are built on first use, so a
    # cold start pays only for the models its first request needs.
    model_config = ConfigDict(
        strict=True, extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any, info: ValidationInfo) -> Any:
        # An empty optional field (common from HTML forms), or a JSON null from a client
        # that writes None, means "not given": the field's default.
        field = cls.model_fields[info.field_name or ""]
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank and not field.is_required():
            return field.get_default(call_default_factory=True)
        return value


# Marks, embeddings, overrides and isolates that make text display other than it reads.
TEXT_DIRECTION_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
# A name may be published (credits): no control characters (line breaks included), line
# separators or direction controls, which would forge lines or make a public name read
# otherwise. ZWJ/ZWNJ stay: names use them.
_NOT_IN_NAMES = frozenset(
    [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *TEXT_DIRECTION_CONTROLS]
)


def name_problem(name: str) -> str | None:
    """Why a display name cannot be shown as it is, or None."""
    if any(ord(c) in _NOT_IN_NAMES for c in name):
        return "must be one line without control or text-direction characters"
    return None


def refused(kind: str, **values: object) -> PydanticCustomError:
    """A refusal of a named kind: usecases/reporter/wording.py words it for the reporter."""
    return PydanticCustomError(kind, kind, values)


def display_name(value: str | None) -> str | None:
    if value is not None and name_problem(value):
        raise refused("not_one_line")
    return value
