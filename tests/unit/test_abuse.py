"""Rate limits per source and overall, counted by pseudonyms of the client address."""

import dataclasses
from datetime import timedelta

import pytest

from chalicelib.domain.errors import RateLimited, ValidationFailed
from chalicelib.usecases.reporter.abuse import client_key, pseudonyms, source_key
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import CLIENT, MINIMAL_REPORT, SECRET, address, guarded_ports
from tests.unit.fakes import FRIDAY_NOON

NOON = FRIDAY_NOON


def submit(ports, client=CLIENT, report=MINIMAL_REPORT):
    return submit_report(report, ports, base_url="https://x", address=client)


def test_source_key_is_a_daily_pseudonym_of_the_address() -> None:
    today = source_key(SECRET, "203.0.113.7", NOON)

    assert "203.0.113.7" not in today and len(today) == 32
    assert source_key(SECRET, "203.0.113.7", NOON + timedelta(hours=3)) == today
    assert source_key(SECRET, "203.0.113.7", NOON + timedelta(days=1)) != today
    assert source_key(SECRET, "203.0.113.8", NOON) != today
    assert source_key(b"other-secret", "203.0.113.7", NOON) != today


def test_the_use_case_derives_both_pseudonyms_from_the_address_and_the_secret() -> None:
    ports = guarded_ports()

    daily, stable = pseudonyms(ports, "203.0.113.7", NOON)

    assert daily == source_key(SECRET, "203.0.113.7", NOON)
    assert stable == client_key(SECRET, "203.0.113.7")
    assert pseudonyms(ports, None, NOON) == (None, None)
    assert pseudonyms(dataclasses.replace(ports, secret=None), "203.0.113.7", NOON) == (None, None)


def test_sixth_report_in_an_hour_from_one_source_is_refused() -> None:
    ports = guarded_ports(NOON + timedelta(minutes=15))
    for _ in range(5):
        submit(ports)

    with pytest.raises(RateLimited) as caught:
        submit(ports)

    assert caught.value.retry_after == 45 * 60 + 1
    assert len(ports.reports.records) == 5
    submit(ports, client=address(1))  # another source is not affected
    assert len(ports.reports.records) == 6


def test_global_limit_applies_across_sources() -> None:
    ports = dataclasses.replace(guarded_ports(), proofs=None)  # no proof-of-work in the way
    limit = ports.policy.abuse.reports_per_hour_global
    for index in range(limit):
        submit(ports, client=address(index))

    with pytest.raises(RateLimited):
        submit(ports, client=address(limit))


def test_invalid_submissions_do_not_count_against_the_limit() -> None:
    ports = guarded_ports()
    for _ in range(10):
        with pytest.raises(ValidationFailed):
            submit(ports, report={**MINIMAL_REPORT, "title": ""})

    submit(ports)
    assert len(ports.reports.records) == 1


@pytest.mark.parametrize("without", ["address", "secret"])
def test_without_an_address_or_a_secret_nothing_is_counted(without: str) -> None:
    ports = dataclasses.replace(guarded_ports(), proofs=None)
    if without == "secret":
        ports = dataclasses.replace(ports, secret=None)
    client = None if without == "address" else address(0)

    for _ in range(ports.policy.abuse.reports_per_hour_per_source + 1):
        submit(ports, client=client)

    assert ports.limiter.hits == {}
    assert len(ports.reports.records) == ports.policy.abuse.reports_per_hour_per_source + 1


def test_ipv6_clients_are_counted_per_64_and_ipv4_per_address() -> None:
    same_64 = source_key(SECRET, "2001:db8:1:2::1", NOON)

    assert source_key(SECRET, "2001:db8:1:2:ffff::9", NOON) == same_64
    assert source_key(SECRET, "2001:db8:1:3::1", NOON) != same_64
    assert source_key(SECRET, "198.51.100.1", NOON) != source_key(SECRET, "198.51.100.2", NOON)
    assert client_key(SECRET, "2001:db8:1:2::1") == client_key(SECRET, "2001:db8:1:2::abcd")


def test_ipv6_clients_in_one_64_share_one_hourly_limit() -> None:
    ports = guarded_ports()
    for host in range(ports.policy.abuse.reports_per_hour_per_source):
        submit(ports, client=f"2001:db8:1:2::{host + 1:x}")

    with pytest.raises(RateLimited):
        submit(ports, client="2001:db8:1:2:ffff::9")
    submit(ports, client="2001:db8:1:3::1")  # the next /64 is another source
