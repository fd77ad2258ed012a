from datetime import date
from pathlib import Path

import pytest

from chalicelib.errors import PolicyError
from chalicelib.policy import add_business_days, default_policy, load_policy


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
    assert add_business_days(start, days) == expected


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
