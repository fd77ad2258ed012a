"""A part of a mail that did not make it into its report, and why: worded in English for
the team (in the report's notes) and in the reporter's language in the answer they get."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.language import _, number


@dataclass(frozen=True)
class LeftOut:
    text: str  # an N_() text with {placeholders}
    values: tuple[tuple[str, str | int], ...] = ()

    @classmethod
    def of(cls, text: str, /, **values: str | int) -> LeftOut:
        return cls(text, tuple(values.items()))

    def __str__(self) -> str:
        """As the team reads it: the source text, numbers as they are."""
        return self.text.format_map(dict(self.values))

    def worded(self) -> str:
        """In the current language, numbers grouped as that language groups them."""
        values = {name: number(v) if isinstance(v, int) else v for name, v in self.values}
        return _(self.text, **values)
