"""Business days in the policy's country: weekends and holidays, from the cached file
or the holidays library."""

import json
from datetime import date

import pytest

from chalicelib.domain.policy.calendar import (
    CACHE_FILE,
    add_business_days,
    holidays_in,
    library_holidays,
)
from chalicelib.domain.policy.document import default_policy


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 20), 3, date(2026, 11, 25)),  # Friday -> Wednesday
        (date(2026, 11, 23), 3, date(2026, 11, 26)),  # Monday -> Thursday
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday -> Monday
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_business_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert add_business_days(start, days, "DE") == expected


def test_business_days_skip_the_countrys_holidays() -> None:
    # Thanksgiving (Thursday 26 November 2026) is a US holiday, not a German one.
    assert add_business_days(date(2026, 11, 23), 3, "US") == date(2026, 11, 27)
    assert add_business_days(date(2026, 11, 23), 3, "DE") == date(2026, 11, 26)
    # Christmas and Boxing Day in Germany
    assert add_business_days(date(2026, 12, 24), 1, "DE") == date(2026, 12, 28)


def test_holiday_cache_matches_the_library() -> None:
    cached = json.loads(CACHE_FILE.read_text())

    assert default_policy().holidays_country in cached
    for country, years in cached.items():
        for year, days in years.items():
            expected = sorted(d.isoformat() for d in library_holidays(country, int(year)))
            assert days == expected, f"regenerate holidays.json: {country} {year} differs"


def test_cache_covers_the_policy_country_for_five_years() -> None:
    cached = json.loads(CACHE_FILE.read_text())[default_policy().holidays_country]

    assert {str(year) for year in range(2026, 2031)} <= set(cached)


def test_a_year_outside_the_cache_still_counts_holidays() -> None:
    assert date(2040, 12, 25) in holidays_in("US", 2040)
