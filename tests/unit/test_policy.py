"""policy.toml: the default loads, and a policy that is wrong is refused with its file and field."""

from pathlib import Path

import pytest

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy.document import default_policy, load_policy


def test_default_policy_loads_with_products_and_sla() -> None:
    policy = default_policy()

    assert policy.sla.ack_business_days == 3
    assert "other" in policy.product_ids()
    assert policy.limits.max_body_bytes == 6 * 1024 * 1024


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
    from chalicelib.domain.policy.document import DEFAULT_POLICY

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


def test_a_language_without_a_catalog_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "chalicelib" / "policy.toml").read_text()
    french = tmp_path / "policy.toml"
    french.write_text(text.replace('languages = ["en", "de"]', 'languages = ["en", "fr"]'))

    with pytest.raises(PolicyError) as caught:
        load_policy(french)

    assert "languages" in caught.value.message and "fr" in caught.value.message
