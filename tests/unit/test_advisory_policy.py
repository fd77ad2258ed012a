"""The policy's advisory settings: each product's OSV package and the [advisories] section,
checked when the policy loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.domain.errors import PolicyError
from chalicelib.domain.policy.document import DEFAULT_POLICY, default_policy, load_policy
from chalicelib.domain.policy.osv_ecosystems import ECOSYSTEMS

SHIPPED = DEFAULT_POLICY.read_text(encoding="utf-8")
APP_PACKAGE = 'osv_ecosystem = "PyPI"\nosv_package = "example-app"\n'


def policy_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SHIPPED
    path = tmp_path / "policy.toml"
    path.write_text(SHIPPED.replace(old, new), encoding="utf-8")
    return path


def test_the_example_policy_names_an_osv_package_for_every_product() -> None:
    policy = default_policy()

    assert [(p.osv_ecosystem, p.osv_package) for p in policy.products] == [
        ("PyPI", "example-app"),
        ("npm", "example-api"),
    ]
    assert all(p.osv_ecosystem in ECOSYSTEMS for p in policy.products)
    assert policy.advisories.osv_prefix == "x_EXAMPLE"


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        (
            'osv_ecosystem = "pypi"\nosv_package = "x"\n',
            "'pypi' is not an OSV ecosystem (did you mean 'PyPI'?)",
        ),
        (
            'osv_ecosystem = "Example Corp"\nosv_package = "x"\n',
            "'Example Corp' is not an OSV ecosystem",
        ),
        ('osv_ecosystem = "Debian:"\nosv_package = "x"\n', "an ecosystem suffix follows the colon"),
        ('osv_ecosystem = "PyPI"\n', "osv_ecosystem and osv_package are given together"),
        ('osv_package = "example-app"\n', "osv_ecosystem and osv_package are given together"),
    ],
)
def test_a_products_osv_package_is_checked_when_the_policy_loads(
    tmp_path: Path, package: str, problem: str
) -> None:
    path = policy_with(tmp_path, APP_PACKAGE, package)

    with pytest.raises(PolicyError) as refused:
        load_policy(path)

    assert "products.0" in refused.value.message and problem in refused.value.message


@pytest.mark.parametrize("ecosystem", ["Debian:12", "Maven:https://maven.example.com", "crates.io"])
def test_an_ecosystem_may_carry_the_suffix_the_schema_allows(
    tmp_path: Path, ecosystem: str
) -> None:
    path = policy_with(tmp_path, 'osv_ecosystem = "PyPI"', f'osv_ecosystem = "{ecosystem}"')

    assert load_policy(path).products[0].osv_ecosystem == ecosystem


def test_a_product_without_an_osv_package_still_loads(tmp_path: Path) -> None:
    policy = load_policy(policy_with(tmp_path, APP_PACKAGE, ""))

    assert (policy.products[0].osv_ecosystem, policy.products[0].osv_package) == ("", "")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('osv_prefix = "x_EXAMPLE"', 'osv_prefix = "EXAMPLE-"', "advisories.osv_prefix"),
        ('osv_prefix = "x_EXAMPLE"', 'osv_prefix = "EX AMPLE"', "advisories.osv_prefix"),
        ('csaf_base_url = "https://', 'csaf_base_url = "http://', "advisories.csaf_base_url"),
        ('csaf/white"', 'csaf/white/"', "advisories.csaf_base_url"),
    ],
)
def test_the_advisories_section_is_checked(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(PolicyError, match=field):
        load_policy(policy_with(tmp_path, old, new))
