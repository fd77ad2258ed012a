import json
from datetime import date
from pathlib import Path

import pytest

from chalicelib.domain.calendar import CACHE_FILE, add_business_days, holidays_in, library_holidays
from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy import default_policy, load_policy


def test_default_policy_loads_with_products_and_sla() -> None:
    policy = default_policy()

    assert policy.sla.ack_business_days == 3
    assert "other" in policy.product_ids()
    assert policy.limits.max_body_bytes == 6 * 1024 * 1024


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


def test_bad_policy_names_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text(
        '[organisation]\nname = "X"\ncontact_email = "a@b.c"\n[sla]\nack_business_days = -1\n'
    )

    with pytest.raises(PolicyError) as caught:
        load_policy(bad)

    assert "policy.toml" in caught.value.message
    assert "sla.ack_business_days" in caught.value.message
    assert "products" in caught.value.message


def test_unparsable_policy_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text("this is = = not toml")

    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(bad)


def default_with(tmp_path: Path, old: str, new: str) -> Path:
    from chalicelib.domain.policy import DEFAULT_POLICY

    text = DEFAULT_POLICY.read_text()
    assert old in text
    changed = tmp_path / "policy.toml"
    changed.write_text(text.replace(old, new))
    return changed


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('holidays_country = "US"', 'holidays_country = "XX"', "holidays_country"),
        ("spam = 30", "spamm = 30", "retention.days"),
        ("spam = 30", "spam = -5", "retention.days.spam"),
        ("spam = 30", "received = 1", "retention.days"),
    ],
)
def test_a_policy_that_would_break_intake_or_purge_the_wrong_reports_is_refused(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(default_with(tmp_path, old, new))

    assert f"{field}:" in caught.value.message


def test_a_country_the_library_knows_but_the_file_does_not_is_accepted(tmp_path: Path) -> None:
    policy = load_policy(
        default_with(tmp_path, 'holidays_country = "US"', 'holidays_country = "IS"')
    )

    assert policy.holidays_country == "IS"
