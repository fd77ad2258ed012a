"""Rate limits per source and overall, and idempotent retries, against fakes."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import RateLimited, Unavailable, ValidationFailed
from chalicelib.usecases.reporter.abuse import client_key, source_key
from chalicelib.usecases.reporter.idempotency import fingerprint, scoped_key
from chalicelib.usecases.reporter.intake import submit_report
from tests.unit.abuse_fakes import guarded_ports

REPORT = {
    "title": "CSRF on account deletion",
    "description": "POST /account/delete accepts requests without a CSRF token.",
    "product": "example-app",
    "policy_accepted": True,
}
SECRET = b"s" * 32
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def submit(ports, source="src-a", key=None, report=REPORT):
    # The stable client pseudonym stands beside the daily source, as app.py passes both.
    return submit_report(
        report, ports, base_url="https://x", source=source, client=f"client-{source}",
        idempotency_key=key,
    )  # fmt: skip


def test_source_key_is_a_daily_pseudonym_of_the_address() -> None:
    today = source_key(SECRET, "203.0.113.7", NOON)

    assert "203.0.113.7" not in today and len(today) == 32
    assert source_key(SECRET, "203.0.113.7", NOON + timedelta(hours=3)) == today
    assert source_key(SECRET, "203.0.113.7", NOON + timedelta(days=1)) != today
    assert source_key(SECRET, "203.0.113.8", NOON) != today
    assert source_key(b"other-secret", "203.0.113.7", NOON) != today


def test_sixth_report_in_an_hour_from_one_source_is_refused() -> None:
    ports = guarded_ports(NOON + timedelta(minutes=15))
    for _ in range(5):
        submit(ports)

    with pytest.raises(RateLimited) as caught:
        submit(ports)

    assert caught.value.retry_after == 45 * 60 + 1
    assert len(ports.reports.records) == 5
    submit(ports, source="src-b")  # another source is not affected
    assert len(ports.reports.records) == 6


def test_global_limit_applies_across_sources() -> None:
    ports = dataclasses.replace(guarded_ports(), proofs=None)  # no proof-of-work in the way
    limit = ports.policy.abuse.reports_per_hour_global
    for index in range(limit):
        submit(ports, source=f"src-{index}")

    with pytest.raises(RateLimited):
        submit(ports, source="fresh-source")


def test_invalid_submissions_do_not_count_against_the_limit() -> None:
    ports = guarded_ports()
    for _ in range(10):
        with pytest.raises(ValidationFailed):
            submit_report({**REPORT, "title": ""}, ports, base_url="https://x", source="src-a")

    submit(ports)
    assert len(ports.reports.records) == 1


def test_same_key_returns_the_same_answer_and_one_report() -> None:
    ports = guarded_ports()

    first = submit(ports, key="retry-123")
    second = submit(ports, key="retry-123")

    assert second == first
    assert len(ports.reports.records) == 1
    assert len(ports.notifier.sent) == 1


def test_key_is_scoped_to_its_source() -> None:
    ports = guarded_ports()

    mine = submit(ports, source="src-a", key="k")
    theirs = submit(ports, source="src-b", key="k")

    assert mine.report_id != theirs.report_id


def test_stored_answer_is_sealed_not_plain() -> None:
    ports = guarded_ports()

    accepted = submit(ports, key="k")

    [record] = ports.idempotency.records.values()
    assert accepted.receipt.encode() not in record["response"]


def test_a_failed_first_attempt_releases_the_key_for_the_retry() -> None:
    ports = guarded_ports()
    ports.blobs.fail = True
    with pytest.raises(Unavailable):
        submit(ports, key="k")

    ports.blobs.fail = False
    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records


def test_replays_do_not_use_up_the_rate_limit() -> None:
    ports = guarded_ports()
    for _ in range(10):
        submit(ports, key="same")

    assert len(ports.reports.records) == 1
    submit(ports)  # still within the 5 per hour


def test_a_bad_key_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(guarded_ports(), key="x" * 129)

    assert caught.value.fields[0].field == "Idempotency-Key"


def test_ipv6_clients_are_counted_per_64_and_ipv4_per_address() -> None:
    same_64 = source_key(SECRET, "2001:db8:1:2::1", NOON)

    assert source_key(SECRET, "2001:db8:1:2:ffff::9", NOON) == same_64
    assert source_key(SECRET, "2001:db8:1:3::1", NOON) != same_64
    assert source_key(SECRET, "198.51.100.1", NOON) != source_key(SECRET, "198.51.100.2", NOON)
    assert client_key(SECRET, "2001:db8:1:2::1") == client_key(SECRET, "2001:db8:1:2::abcd")


def test_a_reused_key_with_other_content_is_refused_not_replayed() -> None:
    ports = guarded_ports()
    submit(ports, key="shared-script-key")
    other = {**REPORT, "title": "A different report entirely"}

    with pytest.raises(ValidationFailed) as caught:
        submit(ports, key="shared-script-key", report=other)

    assert caught.value.fields[0].field == "Idempotency-Key"
    assert len(ports.reports.records) == 1


def test_a_retry_across_midnight_is_still_a_retry() -> None:
    before = guarded_ports(datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    after = dataclasses.replace(before, clock=lambda: datetime(2026, 11, 21, 0, 1, tzinfo=UTC))

    first = submit(before, key="k")
    second = submit(after, key="k")  # the daily source pseudonym changed; the client did not

    assert second == first and len(before.reports.records) == 1


def test_a_claim_whose_holder_died_is_taken_over_after_its_lease() -> None:

    ports = guarded_ports()
    key = scoped_key("k", "client-src-a")
    dead = NOON - timedelta(minutes=5)
    ports.idempotency.begin(key, fingerprint(REPORT), dead, dead + timedelta(seconds=30), NOON)

    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records


def test_the_answer_is_given_even_if_it_cannot_be_kept_for_replays() -> None:
    ports = guarded_ports()

    def refuse(*_: object) -> None:
        raise Unavailable("dynamodb")

    ports.idempotency.complete = refuse  # the report is stored; only the replay copy fails

    accepted = submit(ports, key="k")

    assert accepted.report_id in ports.reports.records
