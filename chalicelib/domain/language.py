"""The reporter's language: gettext catalogs, the language of the request (or mail) in
progress, and the choice between the policy's languages.

Texts a reporter reads are written in English in the code and wrapped in `_()`; Babel
extracts them into `chalicelib/locales/messages.pot`, each language's `messages.po`
translates them, and `make catalogs` compiles those to the `.mo` files read here. Which
language `_()` speaks is a context variable: the web layer sets it per request, the
mailer per mail, so a validator deep in the domain writes in the reporter's language.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE = "en"  # the language the code is written in: it needs no catalog
_speaking: ContextVar[str] = ContextVar("vdp_language", default=SOURCE)


def _(message: str, /, **values: object) -> str:
    """`message` in the current language, with `{name}` placeholders filled in (a value
    missing from `values` leaves its placeholder as it is: a text never fails to show)."""
    text = catalog(_speaking.get()).gettext(message)
    return text.format_map(_Values(values)) if values else text


class _Values(dict[str, object]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def N_(message: str, /) -> str:  # noqa: N802 - gettext's own name for "mark, translate later"
    """Marks a text for the catalogs; `_()` translates it where it is shown."""
    return message


@cache
def catalog(language: str) -> gettext.NullTranslations:
    if language == SOURCE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALES_DIR, [language])


def available() -> frozenset[str]:
    """The languages vdp can speak: English, and each compiled catalog."""
    compiled = LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    return frozenset({SOURCE, *(path.parent.parent.name for path in compiled)})


def current() -> str:
    return _speaking.get()


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Texts made inside the block are in `language`."""
    token = _speaking.set(language)
    try:
        yield language
    finally:
        _speaking.reset(token)


def negotiate(accept_language: str | None, offered: Sequence[str]) -> str:
    """The offered language (the policy's, in its order) that an Accept-Language header
    prefers most; the policy's first language when it names none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "")[:1000].split(",")[:32]):
        tag, _sep, params = item.strip().partition(";")
        quality = _quality(params)
        primary = tag.strip().lower().split("-")[0]
        if quality > 0 and primary:
            ranked.append((-quality, position, primary))
    for _rank, _position, primary in sorted(ranked):
        if primary in offered:
            return primary
        if primary == "*":
            break
    return offered[0] if offered else SOURCE


def _quality(params: str) -> float:
    name, _sep, value = params.strip().partition("=")
    if name.strip().lower() != "q":
        return 1.0
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0


def number(value: int) -> str:
    """An integer as the current language groups its digits (50,000 or 50.000)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_speaking.get())


def long_date(day: date) -> str:
    """A date as the current language writes it in full ("4 December 2026" style)."""
    from babel.dates import format_date

    return format_date(day, "long", locale=_speaking.get())
