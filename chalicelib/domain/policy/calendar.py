"""Business-day clocks: weekends and the public holidays of the policy's country.

Holidays come from the maintained `holidays` library. Importing it costs about
0.2 s (it loads every country) and 1.7 MB of Lambda package, so the dates for the
coming years are kept in `holidays.json` (written by `vdp policy holidays`, checked
against the library by the tests). A country or year the file does not cover uses
the library where it is installed (CLI, local stack) and otherwise counts weekends
only, with a warning in the log.
"""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.domain.errors import PolicyError

CACHE_FILE = Path(__file__).parent.parent.parent / "holidays.json"
log = logging.getLogger(__name__)


def add_business_days(start: date, days: int, country: str) -> date:
    """The date `days` working days after `start` (weekends and holidays skipped)."""
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, country):
            remaining -= 1
    return current


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in holidays_in(country, day.year)


@cache
def holidays_in(country: str, year: int) -> frozenset[date]:
    cached = _cached_file().get(country, {}).get(str(year))
    if cached is not None:
        return frozenset(date.fromisoformat(day) for day in cached)
    return library_holidays(country, year)


def library_holidays(country: str, year: int) -> frozenset[date]:
    try:
        import holidays
    except ImportError:
        log.warning("no holidays for %s %s: regenerate holidays.json", country, year)
        return frozenset()
    return frozenset(holidays.country_holidays(country, years=[year]))


def supported_country(country: str) -> bool | None:
    """Whether holidays are known for the country; None when neither the file nor the
    library (absent in Lambda) can tell, so business days count weekends only."""
    if country in _cached_file():
        return True
    try:
        import holidays
    except ImportError:
        return None
    return country in holidays.list_supported_countries()


def write_cache(countries: list[str], years: range, path: Path = CACHE_FILE) -> None:
    """Regenerate these countries' years in holidays.json from the library; other years
    and countries stay. Without the library, or for a country it does not know, nothing
    is written (the file alone would only repeat itself, or write empty years)."""
    try:
        import holidays
    except ImportError:
        raise PolicyError("regenerating needs the holidays library: pip install holidays") from None
    known = holidays.list_supported_countries()
    unknown = [country for country in countries if country not in known]
    if unknown:
        raise PolicyError(f"no holidays known for {', '.join(unknown)} (ISO 3166 codes)")
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        data = {}
    for country in countries:
        data.setdefault(country, {}).update(
            {
                str(year): sorted(day.isoformat() for day in library_holidays(country, year))
                for year in years
            }
        )
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


@cache
def _cached_file() -> dict[str, dict[str, list[str]]]:
    try:
        data: dict[str, dict[str, list[str]]] = json.loads(CACHE_FILE.read_text())
    except (OSError, ValueError):
        return {}
    return data
